/** Which manifest types a request's `Accept` lets distribution 2.8 serve. */
export interface AcceptedManifestTypes {
  readonly dockerManifest: boolean;
  readonly dockerList: boolean;
  readonly ociManifest: boolean;
  readonly ociIndex: boolean;
}

/**
 * Reads `Accept` the way distribution 2.8 does: split on `,`, drop anything
 * after `;` (so `q=` is ignored), trim, and compare exactly with the four
 * manifest types. A wildcard type enables nothing. Repeated
 * headers arrive joined with `, `, which splits the same way.
 */
export function acceptedManifestTypes(accept: string | null): AcceptedManifestTypes {
  const types = new Set<string>();
  for (const part of (accept ?? '').split(',')) {
    const semicolon = part.indexOf(';');
    types.add((semicolon >= 0 ? part.slice(0, semicolon) : part).trim());
  }
  return {
    dockerManifest: types.has('application/vnd.docker.distribution.manifest.v2+json'),
    dockerList: types.has('application/vnd.docker.distribution.manifest.list.v2+json'),
    ociManifest: types.has('application/vnd.oci.image.manifest.v1+json'),
    ociIndex: types.has('application/vnd.oci.image.index.v1+json'),
  };
}
