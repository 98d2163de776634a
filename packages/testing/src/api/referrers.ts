import { isValidDigest } from '../content/digest';
import { MEDIA_TYPES } from '../content/media-types';
import type { StoredManifest } from '../registry-store';
import type { ApiContext } from './context';
import { ociError } from './oci-errors';
import { goAtoi, nextLink } from './query';
import { type DraftResponse, errorDraft, jsonDraft, methodNotAllowed } from './responses';

/** One entry of a referrers answer: the referring manifest's descriptor. */
interface ReferrerDescriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

interface Referring {
  readonly subject?: { readonly digest?: unknown };
  readonly artifactType?: unknown;
  readonly config?: { readonly mediaType?: unknown };
  readonly annotations?: unknown;
}

/**
 * The descriptor of `manifest` when its `subject` is `digest`. Its
 * `artifactType` is the manifest's own, else its config's media type (for an
 * index without one, none), and it carries the manifest's annotations, as
 * the OCI spec asks.
 */
function referrerOf(manifest: StoredManifest, digest: string): ReferrerDescriptor | undefined {
  let parsed: Referring;
  try {
    parsed = JSON.parse(new TextDecoder().decode(manifest.bytes)) as Referring;
  } catch {
    return undefined;
  }
  if (parsed?.subject?.digest !== digest) return undefined;
  const artifactType =
    typeof parsed.artifactType === 'string'
      ? parsed.artifactType
      : manifest.mediaType === MEDIA_TYPES.ociManifest && typeof parsed.config?.mediaType === 'string'
        ? parsed.config.mediaType
        : undefined;
  const annotations =
    typeof parsed.annotations === 'object' && parsed.annotations !== null && !Array.isArray(parsed.annotations)
      ? (parsed.annotations as Record<string, string>)
      : undefined;
  return {
    mediaType: manifest.mediaType,
    digest: manifest.digest,
    size: manifest.bytes.length,
    ...(artifactType === undefined ? {} : { artifactType }),
    ...(annotations === undefined ? {} : { annotations }),
  };
}

/**
 * `GET /v2/<name>/referrers/<digest>` (OCI distribution spec 1.1), for
 * profiles with `referrersApi`: an OCI index of the manifests whose
 * `subject` is `digest`, sorted by digest; `?artifactType=` filters and is
 * confirmed by `OCI-Filters-Applied: artifactType`; with
 * `referrersPageSize`, pages linked by `Link: <…?last=<digest>&n=…>; rel="next"`.
 * Never 404: no referrers (or no repository) is an empty list. A malformed
 * digest is 400 `DIGEST_INVALID`.
 */
export function referrersEndpoint(context: ApiContext, name: string, digest: string): DraftResponse {
  if (context.method !== 'GET') return methodNotAllowed(['GET']);
  if (!isValidDigest(digest)) return errorDraft([ociError('DIGEST_INVALID', { detail: {} })]);
  const query = context.url.searchParams;
  const filter = query.get('artifactType');
  const repository = context.store.get(name);
  let referrers: ReferrerDescriptor[] = [];
  for (const manifest of repository?.manifests.values() ?? []) {
    const referrer = referrerOf(manifest, digest);
    if (referrer !== undefined && (filter === null || referrer.artifactType === filter)) referrers.push(referrer);
  }
  referrers.sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
  const headers: Record<string, string> = filter === null ? {} : { 'OCI-Filters-Applied': 'artifactType' };
  const pageSize = context.profile.referrersPageSize;
  if (pageSize !== undefined) {
    const asked = goAtoi(query.get('n') ?? '');
    const n = asked === undefined || asked <= 0 ? pageSize : Math.min(asked, pageSize);
    const last = query.get('last');
    const after = last === null ? referrers : referrers.filter((referrer) => referrer.digest > last);
    const more = after.length > n;
    referrers = after.slice(0, n);
    const final = referrers.at(-1);
    if (more && final !== undefined) {
      let link = nextLink(context.url.pathname, final.digest, n);
      if (filter !== null) link = link.replace('>; rel="next"', `&artifactType=${encodeURIComponent(filter)}>; rel="next"`);
      headers.Link = link;
    }
  }
  const body = { schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: referrers };
  return jsonDraft(200, body, { ...headers, 'Content-Type': MEDIA_TYPES.ociIndex });
}
