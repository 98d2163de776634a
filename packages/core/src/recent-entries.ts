/**
 * The entries a listing gave lately, for dropping the repeats of a registry
 * whose pages shift while it is listed (an entry added before the cursor
 * pushes the last one of a page onto the next). Such repeats sit near page
 * boundaries, so remembering every entry ever seen is not needed, and a
 * hostile listing must not grow memory without bound: two generations of
 * sets, the older dropped when the newer fills. Whole pages are added at
 * once, so the last page added is always remembered whole, and so are at
 * least the last `window` entries; memory stays within two generations of
 * about `window` entries plus one page each.
 */
export class RecentEntries {
  readonly #window: number;
  #older: Set<string> = new Set();
  #current: Set<string> = new Set();

  constructor(window: number) {
    this.#window = window;
  }

  has(entry: string): boolean {
    return this.#current.has(entry) || this.#older.has(entry);
  }

  /** Remembers a page; the oldest generation goes once the newest holds `window` entries. */
  addPage(page: readonly string[]): void {
    for (const entry of page) this.#current.add(entry);
    if (this.#current.size >= this.#window) {
      this.#older = this.#current;
      this.#current = new Set();
    }
  }
}
