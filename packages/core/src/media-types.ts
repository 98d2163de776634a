/** Media types of the manifests and configs regkit reads. */
export const MediaTypes = {
  /** Docker image manifest, schema 2. */
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  /** Docker manifest list ("fat manifest"). */
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  /** Docker schema 1, unsigned (refused with `SchemaV1NotSupportedError`). */
  DockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  /** Docker schema 1, signed JWS (refused with `SchemaV1NotSupportedError`). */
  DockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  /** Docker image config blob. */
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
  /** OCI image manifest. */
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  /** OCI image index. */
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  /** OCI image config blob. */
  OciConfig: 'application/vnd.oci.image.config.v1+json',
  /** The OCI empty descriptor's media type (`{}`), used by artifacts. */
  OciEmpty: 'application/vnd.oci.empty.v1+json',
} as const;

/** Media types of single-image manifests. */
export type ImageManifestMediaType = typeof MediaTypes.DockerManifest | typeof MediaTypes.OciManifest;
/** Media types of multi-platform manifests. */
export type IndexMediaType = typeof MediaTypes.DockerManifestList | typeof MediaTypes.OciIndex;
/** Every manifest media type regkit can return. */
export type ManifestMediaType = ImageManifestMediaType | IndexMediaType;

/**
 * The `Accept` header for manifest requests. All four types must be listed:
 * distribution answers 404 for an OCI manifest or index whose exact type is
 * missing, and silently converts a list to one child when only the v2 type is
 * there. No `*\/*`, so an unconvertible manifest fails loudly instead of
 * arriving as something unasked for (schema 1).
 */
export const MANIFEST_ACCEPT = [
  MediaTypes.OciIndex,
  MediaTypes.DockerManifestList,
  MediaTypes.OciManifest,
  MediaTypes.DockerManifest,
].join(', ');

/** True for the two single-image manifest types. */
export function isImageManifestType(mediaType: string): mediaType is ImageManifestMediaType {
  return mediaType === MediaTypes.DockerManifest || mediaType === MediaTypes.OciManifest;
}

/** True for the two multi-platform index types. */
export function isIndexType(mediaType: string): mediaType is IndexMediaType {
  return mediaType === MediaTypes.DockerManifestList || mediaType === MediaTypes.OciIndex;
}

/** True for Docker schema 1, signed or not. */
export function isSchema1Type(mediaType: string): boolean {
  return mediaType === MediaTypes.DockerSchema1 || mediaType === MediaTypes.DockerSchema1Signed;
}

/** `Content-Type` without parameters, lower-cased; registries should send none, clients must ignore them. */
export function essenceOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}
