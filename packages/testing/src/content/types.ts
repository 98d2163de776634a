/** A platform as image indexes describe it. */
export interface Platform {
  /** Operating system, e.g. `linux`, `windows`. */
  readonly os: string;
  /** CPU architecture, e.g. `amd64`, `arm64`. */
  readonly architecture: string;
  /** CPU variant, e.g. `v8` for arm64, `v7` for arm. */
  readonly variant?: string;
  /** `os.version`, e.g. `10.0.17763.1879` for Windows images. */
  readonly osVersion?: string;
  /** `os.features`, e.g. `['win32k']`. */
  readonly osFeatures?: readonly string[];
}

/** Bytes with their descriptor fields. */
export interface BlobContent {
  /** `sha256:` digest of `bytes`. */
  readonly digest: string;
  /** Length of `bytes`. */
  readonly size: number;
  /** The media type the referring manifest gives it. */
  readonly mediaType: string;
  /** The exact content. */
  readonly bytes: Uint8Array;
}

/** The manifest format a builder writes. */
export type ImageFormat = 'docker' | 'oci';

/** A single-platform image: manifest bytes plus the blobs it references. */
export interface BuiltImage extends BlobContent {
  /** Discriminant. */
  readonly kind: 'image';
  /** Docker schema 2 or OCI. */
  readonly format: ImageFormat;
  /** The platform written into the config (and into index entries for it). */
  readonly platform: Platform;
  /** The config blob. */
  readonly config: BlobContent;
  /** Layer blobs (gzipped tar archives), in manifest order. */
  readonly layers: readonly BlobContent[];
  /** Config and layers: every blob a registry needs for this image. */
  readonly blobs: readonly BlobContent[];
}

/** A BuildKit-style attestation manifest (an OCI manifest for platform `unknown/unknown`). */
export interface BuiltAttestation extends BlobContent {
  /** Discriminant. */
  readonly kind: 'attestation';
  /** Digest of the image manifest it describes (`vnd.docker.reference.digest`). */
  readonly subject: string;
  /** Config and the in-toto layer. */
  readonly blobs: readonly BlobContent[];
}

/** A Docker manifest list or OCI index with its children. */
export interface BuiltIndex extends BlobContent {
  /** Discriminant. */
  readonly kind: 'index';
  /** Docker manifest list or OCI index. */
  readonly format: ImageFormat;
  /** The platform images, in index order. */
  readonly images: readonly BuiltImage[];
  /** Attestation manifests, listed after the images. */
  readonly attestations: readonly BuiltAttestation[];
  /**
   * Image manifest digests by platform key: `os/architecture[/variant]`, e.g.
   * `linux/arm64/v8`, `windows/amd64`.
   */
  readonly platforms: Readonly<Record<string, string>>;
}

/** A schema 1 manifest (deprecated format, still served by old registries). */
export interface BuiltSchema1 extends BlobContent {
  /** Discriminant. */
  readonly kind: 'schema1';
  /**
   * sha256 of the bytes. For a signed manifest this differs from `digest`,
   * which is what distribution reports: the digest of the payload with the
   * signatures removed.
   */
  readonly bodyDigest: string;
  /** Layer blobs referenced as `fsLayers`. */
  readonly layers: readonly BlobContent[];
  /** The layers again: every blob a registry needs. */
  readonly blobs: readonly BlobContent[];
}

/** Anything a builder produces and `putImage` stores. */
export type BuiltArtifact = BuiltImage | BuiltIndex;

/** The key used in {@link BuiltIndex.platforms}. */
export function platformKey(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}
