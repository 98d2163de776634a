import { isValidDigest, sha256Digest } from '../content/digest';
import { MEDIA_TYPES, manifestKind } from '../content/media-types';
import type { RepositoryState } from '../registry-store';
import type { ApiContext } from './context';
import { ociError } from './oci-errors';
import { type DraftResponse, emptyDraft, errorDraft, jsonDraft } from './responses';

/** The OCI spec's minimum for the largest manifest a registry accepts. */
export const DEFAULT_MANIFEST_MAX_BYTES = 4 * 1024 * 1024;

interface Descriptor {
  readonly mediaType?: unknown;
  readonly digest?: unknown;
  readonly urls?: unknown;
}

interface ParsedManifest {
  readonly schemaVersion?: unknown;
  readonly mediaType?: unknown;
  readonly config?: Descriptor;
  readonly layers?: unknown;
  readonly manifests?: unknown;
  readonly subject?: Descriptor;
}

const PUSHABLE = new Set<string>([
  MEDIA_TYPES.dockerManifest,
  MEDIA_TYPES.dockerManifestList,
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.ociIndex,
]);

function invalid(detail: string): DraftResponse {
  return errorDraft([ociError('MANIFEST_INVALID', { detail })]);
}

/** The descriptors a manifest references that must already be in the repository: blobs and child manifests. */
function references(kind: string, manifest: ParsedManifest): { blobs: Descriptor[]; manifests: Descriptor[] } | string {
  if (kind === 'docker-list' || kind === 'oci-index') {
    if (!Array.isArray(manifest.manifests)) return 'manifests must be an array';
    return { blobs: [], manifests: manifest.manifests as Descriptor[] };
  }
  if (typeof manifest.config !== 'object' || manifest.config === null) return 'config descriptor missing';
  if (manifest.layers !== undefined && !Array.isArray(manifest.layers)) return 'layers must be an array';
  const layers = (manifest.layers ?? []) as Descriptor[];
  // Foreign layers (with `urls`) live elsewhere and are not checked, as in distribution.
  return { blobs: [manifest.config, ...layers.filter((layer) => !Array.isArray(layer?.urls))], manifests: [] };
}

/** Every referenced digest the repository does not hold, in manifest order (2.8 reports each), or why the manifest is invalid. */
function missingReferences(
  repository: RepositoryState | undefined,
  refs: { blobs: Descriptor[]; manifests: Descriptor[] },
): { missing: string[] } | { invalid: string } {
  const missing: string[] = [];
  for (const [descriptors, where] of [
    [refs.blobs, 'blobs'],
    [refs.manifests, 'manifests'],
  ] as const) {
    for (const descriptor of descriptors) {
      const digest = descriptor?.digest;
      if (typeof digest !== 'string' || !isValidDigest(digest))
        return { invalid: `invalid descriptor digest ${JSON.stringify(digest)}` };
      const present = where === 'blobs' ? repository?.blobs.has(digest) : repository?.manifests.has(digest);
      if (!present) missing.push(digest);
    }
  }
  return { missing };
}

/**
 * `PUT /v2/<name>/manifests/<reference>` as 2.8 takes it: the exact bytes
 * are stored under their sha256 digest after checking that the
 * `Content-Type` agrees with the `mediaType` field (400 `MANIFEST_INVALID`),
 * that every referenced blob and child manifest is in the repository (400
 * `MANIFEST_BLOB_UNKNOWN`, one error per missing digest) and, by digest, that the bytes
 * hash to it (400 `DIGEST_INVALID`); by tag, the tag then points at it.
 * A `subject` may name a manifest that does not exist; profiles with the
 * referrers API answer `OCI-Subject`. Schema 1 pushes are refused, as 2.8's
 * default configuration does.
 */
export function putManifest(context: ApiContext, name: string, reference: string): DraftResponse {
  const body = context.body ?? new Uint8Array(0);
  const max = context.profile.manifestMaxBytes ?? DEFAULT_MANIFEST_MAX_BYTES;
  if (body.length > max) {
    return jsonDraft(413, {
      errors: [{ code: 'SIZE_INVALID', message: 'manifest too big', detail: { size: body.length, limit: max } }],
    });
  }
  const byDigest = isValidDigest(reference);
  if (!byDigest && reference.includes(':')) return invalid(`invalid tag ${JSON.stringify(reference)}`);
  let manifest: ParsedManifest;
  try {
    manifest = JSON.parse(new TextDecoder().decode(body)) as ParsedManifest;
  } catch {
    return invalid('manifest is not JSON');
  }
  if (typeof manifest !== 'object' || manifest === null) return invalid('manifest is not a JSON object');
  const contentType = (context.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  const field = typeof manifest.mediaType === 'string' ? manifest.mediaType : undefined;
  if (field !== undefined && PUSHABLE.has(contentType) && field !== contentType)
    return invalid(`mediaType in manifest should be '${contentType}' not '${field}'`);
  const mediaType = PUSHABLE.has(contentType) ? contentType : field;
  if (mediaType === undefined || !PUSHABLE.has(mediaType)) {
    if (manifestKind(mediaType ?? contentType) === 'schema1' || manifest.schemaVersion === 1)
      return invalid('schema 1 manifests are not accepted (compatibility.schema1.enabled is false)');
    return invalid(`unsupported manifest media type ${JSON.stringify(mediaType ?? contentType)}`);
  }
  if (manifest.schemaVersion !== 2) return invalid('schemaVersion must be 2');
  const refs = references(manifestKind(mediaType), manifest);
  if (typeof refs === 'string') return invalid(refs);
  const repository = context.store.get(name);
  const problem = missingReferences(repository, refs);
  if ('invalid' in problem) return invalid(problem.invalid);
  const [first, ...others] = problem.missing.map((digest) => ociError('MANIFEST_BLOB_UNKNOWN', { detail: digest }));
  if (first !== undefined) return errorDraft([first, ...others]);
  const digest = sha256Digest(body);
  if (byDigest && reference !== digest)
    return errorDraft([ociError('DIGEST_INVALID', { detail: { Digest: reference, Reason: {} } })]);
  context.store.putManifest(name, body, mediaType);
  if (!byDigest) context.store.tag(name, reference, digest);
  const subject = manifest.subject?.digest;
  return emptyDraft(201, {
    Location: `${context.endpoint.origin}/v2/${name}/manifests/${digest}`,
    'Content-Length': '0',
    'Docker-Content-Digest': digest,
    ...(context.profile.referrersApi === true && typeof subject === 'string' && isValidDigest(subject)
      ? { 'OCI-Subject': subject }
      : {}),
  });
}
