import { acceptedManifestTypes } from './api/accept';
import type { Route } from './api/routes';
import { isValidDigest } from './content/digest';
import { manifestKind } from './content/media-types';
import type { RegistryStore } from './registry-store';

const MAX_LISTED = 20;

function listed(items: readonly string[]): string {
  if (items.length === 0) return '(none)';
  const shown = items.slice(0, MAX_LISTED).join(', ');
  return items.length > MAX_LISTED ? `${shown}, … and ${items.length - MAX_LISTED} more` : shown;
}

function unknownRepository(store: RegistryStore, name: string): string {
  return `no repository '${name}'; known: ${listed([...store.names()].sort())}`;
}

/** Repositories other than `name` that hold a manifest or blob with this digest. */
function elsewhere(store: RegistryStore, name: string, digest: string, kind: 'manifests' | 'blobs'): string {
  const holders = store.names().filter((other) => other !== name && store.get(other)?.[kind].has(digest));
  return holders.length === 0 ? '' : ` (it exists in ${listed(holders)}; content is per repository)`;
}

function explainMiss(path: string): string {
  if (!path.startsWith('/v2/')) return `no registry route for ${path}: registry API paths start with /v2/`;
  if (/\/referrers\//.test(path))
    return `no registry route for ${path}: the referrers API is not served by this profile (distribution 2.8 has none; \`oci-1.1\` has it)`;
  if (/[A-Z]/.test(path.split('/')[2] ?? '') || /\/v2\/.*[A-Z].*\/(manifests|blobs|tags)\//.test(path))
    return `no registry route for ${path}: repository names are lower-case`;
  if (/\/manifests\//.test(path))
    return `no registry route for ${path}: a tag is [A-Za-z0-9_][A-Za-z0-9._-]{0,127}, a digest alg:hex`;
  return `no registry route for ${path}: expected /v2/, /v2/_catalog or /v2/<name>/(manifests|blobs|tags)/…`;
}

function explainManifest(store: RegistryStore, name: string, reference: string, accept: string | null): string | undefined {
  const repository = store.get(name);
  if (repository === undefined) return unknownRepository(store, name);
  const digest = isValidDigest(reference) ? reference : repository.tags.get(reference);
  if (digest === undefined) return `no tag '${reference}' in ${name}; tags: ${listed([...repository.tags.keys()])}`;
  const manifest = repository.manifests.get(digest);
  if (manifest === undefined)
    return `no manifest ${digest} in ${name} (${repository.manifests.size} manifests stored)${elsewhere(store, name, digest, 'manifests')}`;
  const accepts = acceptedManifestTypes(accept);
  const kind = manifestKind(manifest.mediaType);
  if ((kind === 'oci-index' && !accepts.ociIndex) || (kind === 'oci-manifest' && !accepts.ociManifest)) {
    return (
      `${name}@${reference} is ${manifest.mediaType}, which Accept does not list ` +
      `(${accept === null ? 'no Accept header' : `Accept: ${accept}`}); distribution answers 404 then`
    );
  }
  return undefined;
}

/**
 * Why a registry API request found nothing, in words a test failure can
 * show: the repository, tag or digest that is missing and what exists
 * instead. `undefined` when there is nothing useful to say.
 */
export function explainNotFound(store: RegistryStore, target: Route, path: string, accept: string | null): string | undefined {
  switch (target.kind) {
    case 'miss':
      return explainMiss(path);
    case 'tags':
      return store.get(target.name) === undefined ? unknownRepository(store, target.name) : undefined;
    case 'manifest':
      return explainManifest(store, target.name, target.reference, accept);
    case 'blob': {
      const repository = store.get(target.name);
      if (repository === undefined) return unknownRepository(store, target.name);
      if (repository.blobs.has(target.digest)) return undefined;
      return `no blob ${target.digest} in ${target.name}${elsewhere(store, target.name, target.digest, 'blobs')}`;
    }
    default:
      return undefined;
  }
}
