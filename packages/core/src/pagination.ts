import {
  InvalidListingEntryError,
  InvalidOptionError,
  ListingTooLargeError,
  PaginationError,
  RegistryResponseError,
} from './errors';
import { redactUrl } from './redact';
import { isValidRepositoryName, isValidTag } from './reference';
import type { Requester } from './requester';
import type { HeaderMap } from './transport';

/** Options shared by every paginated listing. */
export interface ListOptions {
  /** Entries asked for per page (`n`). Registries may send fewer, and some ignore it. */
  readonly pageSize?: number;
  /** Stop with `PaginationError` after this many pages instead of looping forever. */
  readonly maxPages?: number;
  /** Cancels the listing; an aborted listing stops within one request. */
  readonly signal?: AbortSignal;
  /**
   * Stop with `ListingTooLargeError` once the pages have listed more than
   * this many entries in all. Default 1 000 000.
   */
  readonly maxEntries?: number;
  /**
   * Stop with `ListingTooLargeError` once the page bodies add up to more
   * than this many bytes (each page is also capped at 16 MiB). Default 256 MiB.
   */
  readonly maxBytes?: number;
}

/** Default {@link ListOptions.maxEntries}: far beyond real repositories, well short of exhausting memory. */
export const DEFAULT_MAX_LISTING_ENTRIES = 1_000_000;
/** Default {@link ListOptions.maxBytes}. */
export const DEFAULT_MAX_LISTING_BYTES = 256 * 1024 * 1024;

/** What the entries of a listing must be, checked on every page. */
export interface ListingEntries {
  /** Named in errors: `tag`, `repository name`. */
  readonly name: string;
  readonly isValid: (entry: string) => boolean;
}

/** Entries of `tags/list`. */
export const TAG_ENTRIES: ListingEntries = { name: 'tag', isValid: isValidTag };
/** Entries of `_catalog`. */
export const REPOSITORY_ENTRIES: ListingEntries = { name: 'repository name', isValid: isValidRepositoryName };

/**
 * The `rel="next"` target of an RFC 8288 `Link` header, or undefined. Link
 * values may hold several links separated by commas, and parameters in any
 * order and case.
 */
export function nextLink(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const linkPattern = /<([^>]*)>((?:\s*;\s*[^;,]+(?:=(?:"[^"]*"|[^;,]*))?)*)/g;
  for (const match of header.matchAll(linkPattern)) {
    const params = match[2] ?? '';
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]+))/i.exec(params);
    const relations = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    if (relations.includes('next')) return match[1];
  }
  return undefined;
}

/**
 * The absolute URL of the page after the one at `url`, from its `Link`
 * header, or undefined on the last page. A next link is resolved against the
 * page that named it and must stay on the registry's origin: a listing never
 * leads the client (and its credentials) elsewhere.
 *
 * @throws PaginationError when the link leaves `origin`
 */
export function nextPageUrl(headers: HeaderMap, url: string, origin: string, what: string): string | undefined {
  const next = nextLink(headers.link);
  if (next === undefined) return undefined;
  const resolved = new URL(next, url);
  if (resolved.origin !== origin) {
    throw new PaginationError(`${what}: refusing a next link to another origin (${resolved.origin})`);
  }
  return resolved.toString();
}

/** The JSON page of a listing endpoint, decoded. */
export type PageDecoder = (json: unknown, url: string) => readonly string[];

/** Upper bound on one page of tags or repositories (JSON). */
const MAX_PAGE_BYTES = 16 * 1024 * 1024;

/**
 * Walks a `Link`-paginated listing. The next URL is used verbatim, resolved
 * against the page that named it (registries send relative links and opaque
 * cursors), and must stay on the registry origin; a repeated URL or more
 * than `maxPages` pages is an error rather than an endless loop.
 */
export async function* paginate(
  requester: Requester,
  firstUrl: string,
  scopes: readonly string[],
  decode: PageDecoder,
  what: string,
  options: ListOptions & { readonly defaultMaxPages: number },
): AsyncGenerator<readonly string[], void, undefined> {
  const maxPages = listLimit('maxPages', options.maxPages, options.defaultMaxPages, what);
  const maxEntries = listLimit('maxEntries', options.maxEntries, DEFAULT_MAX_LISTING_ENTRIES, what);
  const maxBytes = listLimit('maxBytes', options.maxBytes, DEFAULT_MAX_LISTING_BYTES, what);
  let entries = 0;
  let totalBytes = 0;
  const seen = new Set<string>();
  let url: string | undefined = requester.resolveUrl(firstUrl);
  for (let page = 0; url !== undefined; page++) {
    if (page >= maxPages) throw new PaginationError(`${what}: stopped after ${maxPages} pages (maxPages)`);
    if (seen.has(url)) throw new PaginationError(`${what}: the registry sent a next link that loops back to an earlier page`);
    seen.add(url);
    const fetchPage = (pageUrl: string) =>
      requester.sendForBytes(
        { method: 'GET', url: pageUrl, headers: { accept: 'application/json' }, scopes, signal: options.signal },
        MAX_PAGE_BYTES,
        `${what} page`,
      );
    let fetched: Awaited<ReturnType<typeof fetchPage>>;
    try {
      fetched = await fetchPage(url);
    } catch (error) {
      // A registry whose page limit is below our `n` answers 400 PAGINATION_NUMBER_INVALID
      // (distribution's catalog.maxentries); its own default page size always works.
      const fallback = page === 0 ? withoutPageSize(url) : undefined;
      if (fallback === undefined || !isPageSizeRejection(error)) throw error;
      url = fallback;
      seen.add(url);
      fetched = await fetchPage(url);
    }
    const { response, bytes } = fetched;
    totalBytes += bytes.byteLength;
    if (totalBytes > maxBytes) throw new ListingTooLargeError(what, maxBytes, 'bytes');
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(bytes));
    } catch (error) {
      throw new PaginationError(`${what}: page is not JSON`, { cause: error });
    }
    const list = decode(json, url);
    entries += list.length;
    if (entries > maxEntries) throw new ListingTooLargeError(what, maxEntries, 'entries');
    yield list;
    url = nextPageUrl(response.headers, url, requester.target.origin, what);
  }
}

function isPageSizeRejection(error: unknown): boolean {
  return (
    RegistryResponseError.isInstance(error) &&
    error.status === 400 &&
    error.errors.some((entry) => entry.code === 'PAGINATION_NUMBER_INVALID')
  );
}

function withoutPageSize(url: string): string | undefined {
  const parsed = new URL(url);
  if (!parsed.searchParams.has('n')) return undefined;
  parsed.searchParams.delete('n');
  return parsed.toString();
}

/**
 * Reads a string array field of a page, rejecting anything else, and each
 * entry against the grammar of `entries` (a page of `url`, named in the error).
 */
export function stringList(json: unknown, field: string, what: string, url: string, entries: ListingEntries): readonly string[] {
  if (typeof json !== 'object' || json === null) throw new PaginationError(`${what}: page is not a JSON object`);
  const value = (json as Record<string, unknown>)[field];
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) throw new PaginationError(`${what}: "${field}" is not a list of strings`);
  for (const item of value) {
    if (typeof item !== 'string') throw new PaginationError(`${what}: "${field}" is not a list of strings`);
    if (!entries.isValid(item)) throw new InvalidListingEntryError(what, redactUrl(url), item, entries.name);
  }
  return value as string[];
}

/** A listing cap option: a positive integer, or `fallback` when not given. */
function listLimit(name: string, value: unknown, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidOptionError(name, `${what}: ${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/** Validates a page size option. */
export function pageSizeParam(pageSize: number | undefined, fallback: number, what: string): number {
  const size = pageSize ?? fallback;
  if (!Number.isSafeInteger(size) || size < 1)
    throw new InvalidOptionError('pageSize', `${what}: pageSize must be a positive integer, got ${size}`);
  return size;
}
