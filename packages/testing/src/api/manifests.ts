import { isValidDigest } from '../content/digest';
import { manifestKind } from '../content/media-types';
import type { RepositoryState, StoredManifest } from '../registry-store';
import { acceptedManifestTypes } from './accept';
import type { ApiContext } from './context';
import { putManifest } from './manifest-put';
import { ociError } from './oci-errors';
import { type DraftResponse, emptyDraft, errorDraft, methodNotAllowed } from './responses';

// The fake does not build schema 1 manifests from schema 2 ones (2.8 signs a
// converted copy with its own key). Clients that ask for that get the error
// 2.8 gives when the conversion fails, with a detail saying why.
const CONVERSION_UNSUPPORTED = ociError('MANIFEST_INVALID', {
  detail: 'regkit fake registry: converting schema 2 manifests to schema 1 is not implemented',
});

function manifestUnknown(name: string, digest: string): DraftResponse {
  return errorDraft([ociError('MANIFEST_UNKNOWN', { detail: { Name: name, Revision: digest } })]);
}

/**
 * 2.8's answer to a digest-like reference go-digest refuses (`sha256:abc`,
 * short or upper-case hex, an unknown algorithm): it is looked up as a tag,
 * whose storage path then holds a `:`, which the storage driver refuses.
 */
function invalidTagPath(name: string, tag: string): DraftResponse {
  return errorDraft([
    ociError('UNKNOWN', {
      detail: { Path: `/docker/registry/v2/repositories/${name}/_manifests/tags/${tag}/current/link`, DriverName: 'filesystem' },
    }),
  ]);
}

function etagMatches(headers: Headers, digest: string): boolean {
  const value = headers.get('if-none-match');
  if (value === null) return false;
  return value.split(',').some((candidate) => {
    const trimmed = candidate.trim();
    return trimmed === digest || trimmed === `"${digest}"`;
  });
}

/** The digest of the default-platform entry of a manifest list, if it has one. */
function defaultPlatformChild(list: StoredManifest, platform: { os: string; architecture: string }): string | undefined {
  let parsed: { manifests?: unknown };
  try {
    parsed = JSON.parse(new TextDecoder().decode(list.bytes)) as { manifests?: unknown };
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed.manifests)) return undefined;
  for (const entry of parsed.manifests as { digest?: unknown; platform?: { os?: unknown; architecture?: unknown } }[]) {
    if (
      entry.platform?.os === platform.os &&
      entry.platform?.architecture === platform.architecture &&
      typeof entry.digest === 'string'
    ) {
      return entry.digest;
    }
  }
  return undefined;
}

function serve(context: ApiContext, manifest: StoredManifest): DraftResponse {
  return {
    status: 200,
    headers: {
      'Content-Type': manifest.mediaType,
      'Content-Length': String(manifest.bytes.length),
      ...(context.profile.contentDigestHeader === false ? {} : { 'Docker-Content-Digest': manifest.digest }),
      Etag: `"${manifest.digest}"`,
    },
    body: context.method === 'HEAD' ? null : manifest.bytes,
  };
}

/**
 * GET/HEAD of a manifest with distribution 2.8's content negotiation:
 * OCI types must be named in `Accept` (else 404 `MANIFEST_UNKNOWN`), a
 * manifest list asked for by tag without the list type becomes its
 * linux/amd64 child (with the child's digest), and a schema 2 manifest asked
 * for by tag without the schema 2 type would be converted to schema 1.
 */
function getManifest(context: ApiContext, name: string, reference: string): DraftResponse {
  const accepts = acceptedManifestTypes(context.headers.get('accept'));
  const repository: RepositoryState | undefined = context.store.get(name);
  // As in 2.8, anything go-digest cannot parse is looked up as a tag, even
  // when the router took it for a digest (`sha256:abc`); a tag with a colon
  // is an invalid storage path there, so 2.8 answers 500 UNKNOWN.
  const tag = isValidDigest(reference) ? undefined : reference;
  if (tag?.includes(':')) return invalidTagPath(name, tag);
  let digest = reference;
  if (tag !== undefined) {
    const tagged = repository?.tags.get(tag);
    if (tagged === undefined) return errorDraft([ociError('MANIFEST_UNKNOWN', { detail: { Tag: tag } })]);
    digest = tagged;
  }
  if (etagMatches(context.headers, digest)) return emptyDraft(304);
  const manifest = repository?.manifests.get(digest);
  if (manifest === undefined) return manifestUnknown(name, digest);
  const kind = manifestKind(manifest.mediaType);
  if (kind === 'oci-manifest' && !accepts.ociManifest) {
    return errorDraft([
      ociError('MANIFEST_UNKNOWN', { message: 'OCI manifest found, but accept header does not support OCI manifests' }),
    ]);
  }
  if (kind === 'oci-index' && !accepts.ociIndex) {
    return errorDraft([
      ociError('MANIFEST_UNKNOWN', { message: 'OCI index found, but accept header does not support OCI indexes' }),
    ]);
  }
  // Rewrites happen only by tag: by digest, 2.8 cannot answer other bytes.
  if (tag !== undefined && kind === 'docker-manifest' && !accepts.dockerManifest) return errorDraft([CONVERSION_UNSUPPORTED]);
  if (tag !== undefined && kind === 'docker-list' && !accepts.dockerList) {
    const childDigest = defaultPlatformChild(manifest, context.profile.defaultPlatform);
    if (childDigest === undefined) return errorDraft([ociError('MANIFEST_UNKNOWN')]);
    const child = repository?.manifests.get(childDigest);
    if (child === undefined) return manifestUnknown(name, childDigest);
    if (manifestKind(child.mediaType) === 'docker-manifest' && !accepts.dockerManifest)
      return errorDraft([CONVERSION_UNSUPPORTED]);
    return serve(context, child);
  }
  return serve(context, manifest);
}

/**
 * DELETE of a manifest as 2.8 answers it: by digest it removes the manifest
 * and every tag pointing at it (202); by tag it is 400 `DIGEST_INVALID`,
 * because 2.8 has no tag deletion, except in profiles with `tagDelete`,
 * where only that tag goes (202).
 */
function deleteManifest(context: ApiContext, name: string, reference: string): DraftResponse {
  if (!context.profile.deleteEnabled) return errorDraft([ociError('UNSUPPORTED')]);
  if (!isValidDigest(reference)) {
    if (context.profile.tagDelete !== true) return errorDraft([ociError('DIGEST_INVALID')]);
    // OCI 1.1 tag delete: the tag goes, the manifest and its other tags stay.
    const repository = context.store.get(name);
    if (repository === undefined || !repository.tags.delete(reference))
      return errorDraft([ociError('MANIFEST_UNKNOWN', { detail: { Tag: reference } })]);
    return emptyDraft(202, { 'Content-Length': '0' });
  }
  const repository = context.store.get(name);
  if (repository === undefined || !repository.manifests.delete(reference)) return errorDraft([ociError('MANIFEST_UNKNOWN')]);
  for (const [tag, digest] of [...repository.tags]) {
    if (digest === reference) repository.tags.delete(tag);
  }
  return emptyDraft(202, { 'Content-Length': '0' });
}

/** `/v2/<name>/manifests/<reference>`. */
export function manifestsEndpoint(context: ApiContext, name: string, reference: string): DraftResponse {
  switch (context.method) {
    case 'GET':
    case 'HEAD':
      return getManifest(context, name, reference);
    case 'DELETE':
      return deleteManifest(context, name, reference);
    case 'PUT':
      return putManifest(context, name, reference);
    default:
      return methodNotAllowed(['DELETE', 'GET', 'HEAD', 'PUT']);
  }
}
