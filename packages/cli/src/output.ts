import type { GlobalOptions } from './global-options';
import { type CliIo, write } from './io';

/**
 * Data goes to stdout, everything for people (notes, progress, logs) to
 * stderr; `--json` replaces the data with one JSON document and silences
 * notes, `--quiet` silences notes.
 */
export class Output {
  readonly #io: CliIo;
  readonly #options: GlobalOptions;

  constructor(io: CliIo, options: GlobalOptions) {
    this.#io = io;
    this.#options = options;
  }

  /** True when `--json` was given. */
  get json(): boolean {
    return this.#options.json;
  }

  /** True when notes and progress may be shown (neither `--quiet` nor `--json`). */
  get chatty(): boolean {
    return !this.#options.quiet && !this.#options.json;
  }

  /** A line of data on stdout. */
  line(text: string): Promise<void> {
    return write(this.#io.stdout, `${text}\n`);
  }

  /** Raw bytes on stdout, exactly as given. */
  bytes(data: Uint8Array): Promise<void> {
    return write(this.#io.stdout, data);
  }

  /** The `--json` document: one line, stable field names. */
  document(value: unknown): Promise<void> {
    return write(this.#io.stdout, `${JSON.stringify(value)}\n`);
  }

  /** A note for people on stderr, unless `--quiet` or `--json`. */
  note(text: string): void {
    if (this.chatty) this.#io.stderr.write(`${text}\n`);
  }

  /** A `--verbose` log line on stderr. */
  debug(text: string): void {
    if (this.#options.verbose) this.#io.stderr.write(`${text}\n`);
  }
}
