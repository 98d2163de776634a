import { fromBase64, toBase64 } from '../base64';
import type { ApiContext } from './context';
import { ociError } from './oci-errors';
import { goAtoi, goQueryEscape, nextLink } from './query';
import { type DraftResponse, errorDraft, jsonDraft, methodNotAllowed, textDraft } from './responses';

/** One page of a lexically sorted list, after `last` (exclusive), at most `n` long. */
function page(items: readonly string[], last: string | null, n: number | undefined): { items: string[]; more: boolean } {
  // Code-unit order, as Go's sort.Strings; `last` need not be in the list.
  const sorted = [...items].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const after = last === null || last === '' ? sorted : sorted.filter((item) => item > last);
  if (n === undefined) return { items: after, more: false };
  return { items: after.slice(0, n), more: n > 0 && after.length > n };
}

function invalidPageSize(n: number): DraftResponse {
  return errorDraft([ociError('PAGINATION_NUMBER_INVALID', { detail: { n } })]);
}

// Quay's cursors are Fernet tokens (`gAAAAA…`, padded base64): opaque to
// clients, which must pass them back verbatim from the `Link` header.
const CURSOR_PREFIX = 'gAAAAA';

function encodeCursor(last: string): string {
  return `${CURSOR_PREFIX}${toBase64(JSON.stringify({ last })).replace(/\+/g, '-').replace(/\//g, '_')}`;
}

function decodeCursor(token: string): string | undefined {
  if (!token.startsWith(CURSOR_PREFIX)) return undefined;
  const bytes = fromBase64(token.slice(CURSOR_PREFIX.length));
  if (bytes === undefined) return undefined;
  try {
    const parsed = JSON.parse(new TextDecoder().decode(bytes)) as { last?: unknown };
    return typeof parsed.last === 'string' ? parsed.last : undefined;
  } catch {
    return undefined;
  }
}

/** The page size a tags request asks for, after the profile's default and cap; a draft when refused. */
function tagsPageSize(context: ApiContext): number | undefined | DraftResponse {
  const { profile } = context;
  const rawN = context.url.searchParams.get('n');
  if (rawN === null || rawN === '') return profile.tagsDefaultPageSize;
  const parsed = goAtoi(rawN);
  if (parsed === undefined || parsed < 0) return invalidPageSize(parsed ?? 0);
  const max = profile.tagsMaxPageSize;
  if (max !== undefined && parsed > max) return profile.tagsPageSizeAboveMax === 'clamp' ? max : invalidPageSize(parsed);
  return parsed;
}

/**
 * `GET /v2/<name>/tags/list`, paged as the profile says. `oci`: sorted,
 * `last` exclusive, `n=0` an empty page without `Link`, a relative `Link`
 * to the next page. `cursor`: the same pages, addressed by an opaque
 * `next_page` token instead of `last`. `none`: 2.8's answer, every tag in
 * insertion order, no `Link`.
 */
export function tagsEndpoint(context: ApiContext, name: string): DraftResponse {
  if (context.method !== 'GET') return methodNotAllowed(['GET']);
  const repository = context.store.get(name);
  // A repository with blobs or untagged manifests but never a tag is unknown to 2.8's tags list.
  if (repository === undefined || !repository.everTagged) return errorDraft([ociError('NAME_UNKNOWN', { detail: { name } })]);
  const tags = [...repository.tags.keys()];
  const { tagsPaging } = context.profile;
  if (tagsPaging === 'none') return jsonDraft(200, { name, tags });
  const n = tagsPageSize(context);
  if (typeof n === 'object') return n;
  const query = context.url.searchParams;
  let last: string | null;
  if (tagsPaging === 'cursor') {
    const token = query.get('next_page');
    last = token === null ? null : (decodeCursor(token) ?? null);
    if (token !== null && last === null) return textDraft(400, 'invalid next_page token');
  } else {
    last = query.get('last');
  }
  const result = page(tags, last, n);
  const final = result.items.at(-1);
  const headers: Record<string, string> = {};
  if (result.more && final !== undefined && n !== undefined) {
    headers.Link =
      tagsPaging === 'cursor'
        ? `<${context.url.pathname}?next_page=${goQueryEscape(encodeCursor(final))}&n=${n}>; rel="next"`
        : nextLink(context.url.pathname, final, n);
  }
  return jsonDraft(200, { name, tags: result.items }, headers);
}

/**
 * `GET /v2/_catalog` as 2.8.2 answers: sorted repository names, 100 per page
 * when `n` is absent or not a non-negative number, 400
 * `PAGINATION_NUMBER_INVALID` above the maximum, `Link` only when more
 * repositories follow.
 */
export function catalogEndpoint(context: ApiContext): DraftResponse {
  if (context.method !== 'GET') return methodNotAllowed(['GET']);
  const query = context.url.searchParams;
  const parsed = goAtoi(query.get('n') ?? '');
  const n = parsed === undefined || parsed < 0 ? context.profile.catalogDefaultPageSize : parsed;
  if (n > context.profile.catalogMaxPageSize) return invalidPageSize(n);
  const result = page(context.store.names(), query.get('last'), n);
  const last = result.items.at(-1);
  const headers: Record<string, string> = result.more && last !== undefined ? { Link: nextLink('/v2/_catalog', last, n) } : {};
  return jsonDraft(200, { repositories: result.items }, headers);
}
