import { createHash } from 'node:crypto';
import { createTarGzip } from './tar';

/** Media types the seed uses (protocol.md §4.1). */
export const MEDIA_TYPES = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  inToto: 'application/vnd.in-toto+json',
} as const;

/** A blob to upload: its bytes and where it must exist. */
export interface PlannedBlob {
  readonly digest: string;
  readonly bytes: Uint8Array;
  readonly mediaType: string;
}

/** A manifest to PUT, by tag or by digest. */
export interface PlannedManifest {
  readonly digest: string;
  readonly bytes: Uint8Array;
  readonly mediaType: string;
}

/** A platform as it appears in a list/index entry. */
export interface SeedPlatform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
  readonly 'os.version'?: string;
}

/** One single-platform image: its manifest and blobs. */
export interface PlannedImage {
  readonly manifest: PlannedManifest;
  readonly config: PlannedBlob;
  readonly layers: readonly PlannedBlob[];
}

/** Digests of one image, for assertions. */
export interface ImageDigests {
  readonly manifestDigest: string;
  readonly configDigest: string;
  readonly layerDigests: readonly string[];
}

/** Digests of one platform entry of a list/index. */
export interface PlatformDigests extends ImageDigests {
  readonly platform: SeedPlatform;
}

/** Everything the seeder pushes, as plain strings: what tests assert against (structured-clone safe). */
export interface SeedSummary {
  readonly golang: {
    readonly repository: 'library/golang';
    readonly tag: '1.12.0';
    readonly mediaType: string;
    /** Digest of the manifest list bytes: the "image digest" of the tag. */
    readonly digest: string;
    readonly size: number;
    readonly platforms: readonly PlatformDigests[];
  };
  readonly ociMulti: {
    readonly repository: 'oci/multi';
    readonly tag: 'latest';
    readonly mediaType: string;
    readonly digest: string;
    readonly size: number;
    readonly platforms: readonly PlatformDigests[];
    /** The attestation manifest entry (platform unknown/unknown). */
    readonly attestation: { readonly manifestDigest: string; readonly referenceDigest: string; readonly layerDigest: string };
  };
  readonly singleApp: {
    readonly repository: 'single/app';
    readonly tag: 'v1';
    readonly mediaType: string;
    readonly size: number;
  } & ImageDigests;
  readonly manyTags: {
    readonly repository: 'many/tags';
    /** All tags, sorted. They all point at `manifestDigest`. */
    readonly tags: readonly string[];
    readonly manifestDigest: string;
  };
  readonly bulk: {
    /** `bulk/repo-000` … `bulk/repo-119`, sorted. */
    readonly repositories: readonly string[];
    readonly tag: 'latest';
    readonly manifestDigest: string;
  };
  readonly privateApp: { readonly repository: 'private/app'; readonly tag: 'v1'; readonly manifestDigest: string };
  /** Every repository seeded, sorted as the catalog lists them. */
  readonly repositories: readonly string[];
}

/** The whole seed: bytes to push plus the summary. Deterministic: same bytes every run. */
export interface SeedPlan {
  readonly summary: SeedSummary;
  readonly golang: { readonly list: PlannedManifest; readonly images: readonly PlannedImage[] };
  readonly ociMulti: { readonly index: PlannedManifest; readonly images: readonly PlannedImage[] };
  readonly singleApp: PlannedImage;
  /** The one small image behind every `many/tags` tag and every `bulk/*` repository. */
  readonly small: PlannedImage;
  readonly privateApp: PlannedImage;
}

export const MANY_TAGS_COUNT = 1050;
export const BULK_REPOSITORY_COUNT = 120;
const CREATED = '2019-02-26T00:00:00Z';

/** sha256 digest string of some bytes. */
export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * Manifests are serialised the way docker does (3-space indent) so their
 * bytes differ from a compact re-serialisation: a client that re-encodes
 * before hashing gets the wrong digest.
 */
function jsonBytes(value: unknown, indent = 3): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value, null, indent));
}

function blob(bytes: Uint8Array, mediaType: string): PlannedBlob {
  return { digest: sha256Digest(bytes), bytes, mediaType };
}

function descriptor(item: PlannedBlob | PlannedManifest, extra: Record<string, unknown> = {}) {
  return { mediaType: item.mediaType, size: item.bytes.length, digest: item.digest, ...extra };
}

interface ImageSpec {
  readonly platform: SeedPlatform;
  readonly files: readonly { path: string; content: string }[];
  readonly oci: boolean;
  readonly cmd: readonly string[];
  readonly env?: readonly string[];
}

function buildImage(spec: ImageSpec): PlannedImage {
  const { tar, gzip } = createTarGzip(spec.files);
  const layer = blob(gzip, spec.oci ? MEDIA_TYPES.ociLayer : MEDIA_TYPES.dockerLayer);
  const config = blob(
    jsonBytes(
      {
        architecture: spec.platform.architecture,
        os: spec.platform.os,
        ...(spec.platform['os.version'] !== undefined ? { 'os.version': spec.platform['os.version'] } : {}),
        ...(spec.platform.variant !== undefined ? { variant: spec.platform.variant } : {}),
        created: CREATED,
        config: { Env: spec.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: spec.cmd },
        rootfs: { type: 'layers', diff_ids: [sha256Digest(tar)] },
        // History keeps 2.8's schema-1 conversion working (it fails without it).
        history: [{ created: CREATED, created_by: `regkit seed: ADD ${spec.files.map((file) => file.path).join(' ')}` }],
      },
      0,
    ),
    spec.oci ? MEDIA_TYPES.ociConfig : MEDIA_TYPES.dockerConfig,
  );
  const mediaType = spec.oci ? MEDIA_TYPES.ociManifest : MEDIA_TYPES.dockerManifest;
  const bytes = jsonBytes({ schemaVersion: 2, mediaType, config: descriptor(config), layers: [descriptor(layer)] });
  return { manifest: { digest: sha256Digest(bytes), bytes, mediaType }, config, layers: [layer] };
}

function digestsOf(image: PlannedImage): ImageDigests {
  return {
    manifestDigest: image.manifest.digest,
    configDigest: image.config.digest,
    layerDigests: image.layers.map((layer) => layer.digest),
  };
}

function golangImage(platform: SeedPlatform): PlannedImage {
  const label = [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
  return buildImage({
    platform,
    oci: false,
    files: [{ path: 'usr/local/go/VERSION', content: `go1.12 ${label}\n` }],
    cmd: ['go', 'version'],
    env: ['PATH=/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'GOLANG_VERSION=1.12'],
  });
}

let cached: SeedPlan | undefined;

/**
 * The deterministic seed content: `library/golang:1.12.0` (Docker list of
 * linux/amd64, linux/arm64/v8, windows/amd64), `oci/multi:latest` (OCI index
 * of two platforms plus a buildx-style attestation manifest),
 * `single/app:v1`, `many/tags` (1,050 tags), `bulk/repo-000…119` and
 * `private/app:v1`.
 */
export function seedPlan(): SeedPlan {
  cached ??= buildSeedPlan();
  return cached;
}

function buildSeedPlan(): SeedPlan {
  const golangPlatforms: SeedPlatform[] = [
    { os: 'linux', architecture: 'amd64' },
    { os: 'linux', architecture: 'arm64', variant: 'v8' },
    { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.1879' },
  ];
  const golangImages = golangPlatforms.map(golangImage);
  const listBytes = jsonBytes({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.dockerManifestList,
    manifests: golangImages.map((image, i) => descriptor(image.manifest, { platform: golangPlatforms[i] })),
  });
  const list: PlannedManifest = { digest: sha256Digest(listBytes), bytes: listBytes, mediaType: MEDIA_TYPES.dockerManifestList };

  const ociPlatforms: SeedPlatform[] = [
    { os: 'linux', architecture: 'amd64' },
    { os: 'linux', architecture: 'arm64' },
  ];
  const ociImages = ociPlatforms.map((platform) =>
    buildImage({
      platform,
      oci: true,
      files: [{ path: 'app/platform', content: `${platform.os}/${platform.architecture}\n` }],
      cmd: ['/app/run'],
    }),
  );
  const attestation = attestationImage(ociImages[0] as PlannedImage);
  const indexBytes = jsonBytes({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociIndex,
    manifests: [
      ...ociImages.map((image, i) => descriptor(image.manifest, { platform: ociPlatforms[i] })),
      descriptor(attestation.image.manifest, {
        annotations: {
          'vnd.docker.reference.digest': attestation.referenceDigest,
          'vnd.docker.reference.type': 'attestation-manifest',
        },
        platform: { architecture: 'unknown', os: 'unknown' },
      }),
    ],
  });
  const index: PlannedManifest = { digest: sha256Digest(indexBytes), bytes: indexBytes, mediaType: MEDIA_TYPES.ociIndex };

  const singleApp = buildImage({
    platform: { os: 'linux', architecture: 'amd64' },
    oci: false,
    files: [{ path: 'app/hello.txt', content: 'hello from single/app v1\n' }],
    cmd: ['cat', '/app/hello.txt'],
  });
  const small = buildImage({
    platform: { os: 'linux', architecture: 'amd64' },
    oci: false,
    files: [{ path: 'small.txt', content: 'small\n' }],
    cmd: ['true'],
  });
  const privateApp = buildImage({
    platform: { os: 'linux', architecture: 'amd64' },
    oci: false,
    files: [{ path: 'secret.txt', content: 'private\n' }],
    cmd: ['true'],
  });

  const tags = Array.from({ length: MANY_TAGS_COUNT }, (_, i) => `tag-${String(i).padStart(4, '0')}`);
  const bulkRepositories = Array.from({ length: BULK_REPOSITORY_COUNT }, (_, i) => `bulk/repo-${String(i).padStart(3, '0')}`);
  const repositories = ['library/golang', 'oci/multi', 'single/app', 'many/tags', 'private/app', ...bulkRepositories].sort();

  const summary: SeedSummary = {
    golang: {
      repository: 'library/golang',
      tag: '1.12.0',
      mediaType: list.mediaType,
      digest: list.digest,
      size: list.bytes.length,
      platforms: golangImages.map((image, i) => ({ platform: golangPlatforms[i] as SeedPlatform, ...digestsOf(image) })),
    },
    ociMulti: {
      repository: 'oci/multi',
      tag: 'latest',
      mediaType: index.mediaType,
      digest: index.digest,
      size: index.bytes.length,
      platforms: ociImages.map((image, i) => ({ platform: ociPlatforms[i] as SeedPlatform, ...digestsOf(image) })),
      attestation: {
        manifestDigest: attestation.image.manifest.digest,
        referenceDigest: attestation.referenceDigest,
        layerDigest: (attestation.image.layers[0] as PlannedBlob).digest,
      },
    },
    singleApp: {
      repository: 'single/app',
      tag: 'v1',
      mediaType: singleApp.manifest.mediaType,
      size: singleApp.manifest.bytes.length,
      ...digestsOf(singleApp),
    },
    manyTags: { repository: 'many/tags', tags, manifestDigest: small.manifest.digest },
    bulk: { repositories: bulkRepositories, tag: 'latest', manifestDigest: small.manifest.digest },
    privateApp: { repository: 'private/app', tag: 'v1', manifestDigest: privateApp.manifest.digest },
    repositories,
  };

  return {
    summary,
    golang: { list, images: golangImages },
    ociMulti: { index, images: [...ociImages, attestation.image] },
    singleApp,
    small,
    privateApp,
  };
}

/** A buildx-style attestation manifest: in-toto layer, config for unknown/unknown. */
function attestationImage(subject: PlannedImage): { image: PlannedImage; referenceDigest: string } {
  const statement = jsonBytes(
    {
      _type: 'https://in-toto.io/Statement/v0.1',
      predicateType: 'https://slsa.dev/provenance/v0.2',
      subject: [
        {
          name: 'pkg:docker/oci/multi@latest?platform=linux%2Famd64',
          digest: { sha256: subject.manifest.digest.slice('sha256:'.length) },
        },
      ],
      predicate: { builder: { id: 'regkit-seed' } },
    },
    0,
  );
  const layer = blob(statement, MEDIA_TYPES.inToto);
  const config = blob(
    jsonBytes({ architecture: 'unknown', os: 'unknown', config: {}, rootfs: { type: 'layers', diff_ids: [layer.digest] } }, 0),
    MEDIA_TYPES.ociConfig,
  );
  const bytes = jsonBytes({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    config: descriptor(config),
    layers: [descriptor(layer, { annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' } })],
  });
  return {
    image: { manifest: { digest: sha256Digest(bytes), bytes, mediaType: MEDIA_TYPES.ociManifest }, config, layers: [layer] },
    referenceDigest: subject.manifest.digest,
  };
}
