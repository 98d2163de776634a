import type { ApiContext } from './context';
import { ociError } from './oci-errors';
import { goAtoi, nextLink } from './query';
import { type DraftResponse, errorDraft, jsonDraft, methodNotAllowed } from './responses';

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

/**
 * `GET /v2/<name>/tags/list`. With the `oci` tags paging profile, tags are
 * sorted and paged when `n` is given (`n=0` is an empty page without
 * `Link`), `last` is exclusive, and a relative `Link` points at the next
 * page. With `none`, 2.8's answer: every tag, insertion order, no `Link`.
 */
export function tagsEndpoint(context: ApiContext, name: string): DraftResponse {
  if (context.method !== 'GET') return methodNotAllowed(['GET']);
  const repository = context.store.get(name);
  if (repository === undefined) return errorDraft([ociError('NAME_UNKNOWN', { detail: { name } })]);
  const tags = [...repository.tags.keys()];
  if (context.profile.tagsPaging === 'none') return jsonDraft(200, { name, tags });
  const query = context.url.searchParams;
  let n: number | undefined;
  const rawN = query.get('n');
  if (rawN !== null && rawN !== '') {
    const parsed = goAtoi(rawN);
    const max = context.profile.tagsMaxPageSize;
    if (parsed === undefined || parsed < 0 || (max !== undefined && parsed > max)) return invalidPageSize(parsed ?? 0);
    n = parsed;
  }
  const result = page(tags, query.get('last'), n);
  const last = result.items.at(-1);
  const headers: Record<string, string> =
    result.more && last !== undefined && n !== undefined ? { Link: nextLink(context.url.pathname, last, n) } : {};
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
