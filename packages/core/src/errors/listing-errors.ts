import { PaginationError } from './transport-errors';

/** Longest part of a rejected entry an error keeps and shows: a hostile page may hold megabytes in one "tag". */
const SHOWN_ENTRY_LENGTH = 128;

function shortened(entry: string): string {
  return entry.length > SHOWN_ENTRY_LENGTH ? `${entry.slice(0, SHOWN_ENTRY_LENGTH)}…` : entry;
}

/**
 * A listing page (tags, catalog) held an entry that is not a tag or not a
 * repository name. Nothing of that page was yielded. A `PaginationError`, so
 * existing handlers of broken listings catch it.
 */
export class InvalidListingEntryError extends PaginationError {
  static override readonly kind: string = 'InvalidListingEntryError';
  /** The page that held it, redacted. */
  readonly url: string;
  /** The entry, cut to 128 characters (with `…`) when longer. */
  readonly entry: string;
  /** What the entry had to be: `tag` or `repository name`. */
  readonly expected: string;

  /** @internal Built by core's pagination. */
  constructor(what: string, url: string, entry: string, expected: string) {
    const shown = shortened(entry);
    super(`${what}: the page ${url} lists ${JSON.stringify(shown)}, which is not a valid ${expected}`);
    this.url = url;
    this.entry = shown;
    this.expected = expected;
  }
}

/** What a listing limit counts. */
export type ListingLimitUnit = 'entries' | 'bytes';

/**
 * A listing went past its cap on entries (`maxEntries`) or on page bytes
 * (`maxBytes`) across all pages; reading stopped there. Raise the cap in the
 * call's options if the repository really is that large.
 */
export class ListingTooLargeError extends PaginationError {
  static override readonly kind: string = 'ListingTooLargeError';
  /** The cap that was crossed. */
  readonly limit: number;
  /** Whether `limit` counts entries or bytes. */
  readonly unit: ListingLimitUnit;

  /** @internal Built by core's pagination. */
  constructor(what: string, limit: number, unit: ListingLimitUnit) {
    const option = unit === 'entries' ? 'maxEntries' : 'maxBytes';
    super(`${what}: the listing has more than ${limit} ${unit}; stopped there (raise ${option} to read further)`);
    this.limit = limit;
    this.unit = unit;
  }
}
