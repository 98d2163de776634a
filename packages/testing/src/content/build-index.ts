import { blob, descriptor, manifestBytes } from './build-image';
import { MEDIA_TYPES } from './media-types';
import { type BuiltAttestation, type BuiltImage, type BuiltIndex, type ImageFormat, type Platform, platformKey } from './types';

/** Options for {@link buildIndex}. */
export interface BuildIndexOptions {
  /** The platform images, in the order they appear in the index. */
  readonly images: readonly BuiltImage[];
  /** Docker manifest list or OCI index. Default: the format of the first image. */
  readonly format?: ImageFormat;
  /**
   * BuildKit-style attestation manifests to add after the images: `true` for
   * one per image, or the images to attest. Default none.
   */
  readonly attestations?: boolean | readonly BuiltImage[];
  /** Index annotations (OCI only). */
  readonly annotations?: Readonly<Record<string, string>>;
}

const encoder = new TextEncoder();

function platformJson(platform: Platform): Record<string, unknown> {
  return {
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.osVersion === undefined ? {} : { 'os.version': platform.osVersion }),
    ...(platform.osFeatures === undefined ? {} : { 'os.features': platform.osFeatures }),
    ...(platform.variant === undefined ? {} : { variant: platform.variant }),
  };
}

/** Builds the provenance attestation BuildKit attaches to `subject` (an image manifest). */
export function buildAttestation(subject: BuiltImage): BuiltAttestation {
  const statement = {
    _type: 'https://in-toto.io/Statement/v0.1',
    predicateType: 'https://slsa.dev/provenance/v0.2',
    subject: [{ name: '_', digest: { sha256: subject.digest.slice('sha256:'.length) } }],
    predicate: { buildType: 'https://mobyproject.org/buildkit@v1', builder: { id: 'regkit-testing' } },
  };
  const layer = blob(encoder.encode(JSON.stringify(statement)), MEDIA_TYPES.inToto);
  const config = blob(
    encoder.encode(
      JSON.stringify({
        architecture: 'unknown',
        os: 'unknown',
        config: {},
        rootfs: { type: 'layers', diff_ids: [layer.digest] },
      }),
    ),
    MEDIA_TYPES.ociConfig,
  );
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    config: descriptor(config, 'oci'),
    layers: [{ ...descriptor(layer, 'oci'), annotations: { 'in-toto.io/predicate-type': statement.predicateType } }],
  };
  return {
    kind: 'attestation',
    subject: subject.digest,
    ...blob(manifestBytes(manifest, 'oci'), MEDIA_TYPES.ociManifest),
    blobs: [config, layer],
  };
}

/**
 * Builds a multi-platform index over already built images: a Docker manifest
 * list (`format: 'docker'`) or an OCI index, optionally with attestation
 * entries annotated `vnd.docker.reference.type: attestation-manifest` and
 * `vnd.docker.reference.digest: <image digest>` on platform `unknown/unknown`,
 * as BuildKit writes them.
 *
 * @example
 * ```ts
 * const index = buildIndex({
 *   images: [buildImage({ architecture: 'amd64', format: 'oci' }), buildImage({ architecture: 'arm64', variant: 'v8', format: 'oci' })],
 *   attestations: true,
 * });
 * index.platforms['linux/arm64/v8']; // digest of the arm64 manifest
 * ```
 */
export function buildIndex(options: BuildIndexOptions): BuiltIndex {
  const format = options.format ?? options.images[0]?.format ?? 'oci';
  const attested =
    options.attestations === true
      ? options.images
      : options.attestations === false || options.attestations === undefined
        ? []
        : options.attestations;
  const attestations = attested.map(buildAttestation);
  const entries: Record<string, unknown>[] = options.images.map((image) => ({
    ...descriptor(image, format),
    platform: platformJson(image.platform),
  }));
  for (const attestation of attestations) {
    entries.push({
      ...descriptor(attestation, format),
      annotations: { 'vnd.docker.reference.digest': attestation.subject, 'vnd.docker.reference.type': 'attestation-manifest' },
      platform: { architecture: 'unknown', os: 'unknown' },
    });
  }
  const mediaType = format === 'docker' ? MEDIA_TYPES.dockerManifestList : MEDIA_TYPES.ociIndex;
  const index = {
    schemaVersion: 2,
    mediaType,
    manifests: entries,
    ...(format === 'oci' && options.annotations !== undefined ? { annotations: { ...options.annotations } } : {}),
  };
  const platforms: Record<string, string> = {};
  for (const image of options.images) platforms[platformKey(image.platform)] ??= image.digest;
  return {
    kind: 'index',
    format,
    ...blob(manifestBytes(index, format), mediaType),
    images: [...options.images],
    attestations,
    platforms,
  };
}
