/** Media types the fake registry knows by name (image-spec and Docker's). */
export const MEDIA_TYPES = {
  /** Docker image manifest, schema 2. */
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  /** Docker manifest list. */
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  /** Docker schema 1 manifest, unsigned. */
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  /** Docker schema 1 manifest, signed (JWS). */
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  /** Docker image config. */
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  /** Docker layer (gzipped tar). */
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  /** OCI image manifest. */
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  /** OCI image index. */
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  /** OCI image config. */
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  /** OCI layer (gzipped tar). */
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  /** in-toto attestation statement (BuildKit provenance layers). */
  inToto: 'application/vnd.in-toto+json',
} as const;

/** How the registry treats a stored manifest, decided from its media type. */
export type ManifestKind = 'docker-manifest' | 'docker-list' | 'oci-manifest' | 'oci-index' | 'schema1' | 'other';

/** Classifies a manifest media type the way distribution's manifest store does. */
export function manifestKind(mediaType: string): ManifestKind {
  switch (mediaType) {
    case MEDIA_TYPES.dockerManifest:
      return 'docker-manifest';
    case MEDIA_TYPES.dockerManifestList:
      return 'docker-list';
    case MEDIA_TYPES.ociManifest:
      return 'oci-manifest';
    case MEDIA_TYPES.ociIndex:
      return 'oci-index';
    case MEDIA_TYPES.dockerSchema1:
    case MEDIA_TYPES.dockerSchema1Signed:
      return 'schema1';
    default:
      return 'other';
  }
}

/**
 * The media type distribution 2.8 would serve for manifest bytes pushed
 * without one: the `mediaType` field, or for schema 2 without it, an OCI
 * index when there is a `manifests` array and an OCI manifest otherwise.
 */
export function inferManifestMediaType(bytes: Uint8Array): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new Error('[@regkit/testing] manifest bytes are not JSON; pass a mediaType');
  }
  if (typeof parsed !== 'object' || parsed === null) {
    throw new Error('[@regkit/testing] manifest JSON is not an object; pass a mediaType');
  }
  const { mediaType, schemaVersion, manifests, signatures } = parsed as Record<string, unknown>;
  if (typeof mediaType === 'string' && mediaType !== '') return mediaType;
  if (schemaVersion === 1) return Array.isArray(signatures) ? MEDIA_TYPES.dockerSchema1Signed : MEDIA_TYPES.dockerSchema1;
  return Array.isArray(manifests) ? MEDIA_TYPES.ociIndex : MEDIA_TYPES.ociManifest;
}
