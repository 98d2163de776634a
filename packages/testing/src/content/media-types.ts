/** Media types the fake registry knows by name (image-spec and Docker's). */
export const MEDIA_TYPES = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
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
