import { DigestMismatchError, InvalidOptionError, RegistryProtocolError } from '../errors';
import type { Hasher } from '../hasher';
import type { ChunkReader } from './chunk-reader';

/**
 * Bytes already handed to the transport that are kept to send again after a
 * dropped connection, when the content cannot be read again (a caller's
 * stream). A registry stores what reached it, so after a drop it is behind
 * by what was in flight (socket buffers, proxies): a few MiB. Further behind
 * than this, the upload cannot resume and is lost. Content that can be read
 * again from any byte (bytes, a blob copied from a registry that serves
 * ranges) keeps nothing and resumes from wherever the registry stands.
 */
export const RESUME_WINDOW_BYTES = 8 * 1024 * 1024;

/** What the content must turn out to be; a violation stops the body before its end. */
export interface ContentExpectations {
  /** Exact length, when the caller gave one. */
  readonly size: number | undefined;
  /** The digest the content must hash to, when the caller gave one (checked only with a hasher). */
  readonly digest: string | undefined;
  /** Names the upload in errors. */
  readonly what: string;
}

/**
 * Upload content sent as the body of one streamed request: read from the
 * source piece by piece as the transport asks, hashed on the way, so a
 * dropped request can be resumed from whatever byte the registry reports:
 * the source reads those bytes again when it can, otherwise the last
 * {@link RESUME_WINDOW_BYTES} are kept to send again. A piece is never copied.
 *
 * A failure of the content itself (the source errors, it is longer or
 * shorter than `size`, it does not hash to `digest`) errors the body before
 * its end, so the registry never receives a complete request, and is kept
 * in {@link failure}: it is the upload's error, not a dropped connection.
 */
export class StreamedContent {
  readonly #reader: ChunkReader;
  readonly #hasher: Hasher | undefined;
  readonly #expected: ContentExpectations;
  readonly #onSent: (sent: number) => void;
  readonly #window: Uint8Array[] = [];
  #windowBytes = 0;
  /** Bytes read from the source so far, each hashed and counted once. */
  #sent = 0;
  /** The byte the reader's next piece starts at: below {@link sent} after a rewind. */
  #position = 0;
  /** The read in progress, which a rewind must wait for. */
  #reading: Promise<unknown> | undefined;
  #ended = false;
  #failure: unknown;
  #digest: string | undefined;

  constructor(reader: ChunkReader, hasher: Hasher | undefined, expected: ContentExpectations, onSent: (sent: number) => void) {
    this.#reader = reader;
    this.#hasher = hasher;
    this.#expected = expected;
    this.#onSent = onSent;
  }

  /** Bytes read from the source so far. */
  get sent(): number {
    return this.#sent;
  }

  /** True once the source has ended and the content passed its checks. */
  get ended(): boolean {
    return this.#ended;
  }

  /** The content's own failure, if it had one. */
  get failure(): unknown {
    return this.#failure;
  }

  /** The computed digest (or the expected one without a hasher), once {@link ended}. */
  get digest(): string | undefined {
    return this.#digest;
  }

  /** Resolves once no read of the source is in progress (one a dropped request may have left running). */
  async settle(): Promise<void> {
    await this.#reading?.catch(() => undefined);
  }

  /**
   * After the registry answered the request that carried the content: true
   * when the source has ended. A transport may stop pulling once the declared
   * `Content-Length` is out and the answer is in, before it asks the stream
   * for its end; the end (and with it the length and digest checks) is then
   * read here. Without a declared size the end is never read on the
   * registry's behalf: an answer before it is an answer before the content.
   */
  async endsHere(): Promise<boolean> {
    await this.settle();
    if (!this.#ended && this.#failure === undefined && this.#sent === this.#expected.size) {
      await this.#read().catch(() => undefined);
    }
    return this.#ended;
  }

  /** True when a body starting at byte `from` can still be produced. */
  canResumeFrom(from: number): boolean {
    if (from < 0 || from > this.#sent) return false;
    return this.#reader.rewindsAnywhere || from >= this.#sent - this.#windowBytes;
  }

  /**
   * A body from byte `from` to the end of the content: the bytes from there
   * read again or taken from the window, then the rest of the source. Call
   * only when {@link canResumeFrom}(`from`).
   */
  bodyFrom(from: number): ReadableStream<Uint8Array> {
    let replay: Uint8Array[] | undefined;
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          replay ??= await this.#replayFrom(from);
          const kept = replay.shift();
          if (kept !== undefined) return controller.enqueue(kept);
          const piece = await this.#read();
          if (piece === undefined) controller.close();
          else controller.enqueue(piece);
        },
        // The transport gave up on this body (a dropped connection): the
        // source stays open for a resume; the upload releases it when it ends.
        cancel: () => undefined,
      },
      { highWaterMark: 0 },
    );
  }

  /**
   * The kept pieces from byte `from`, or none after making the source read
   * again from there. Waits first for a read the dropped request left
   * running: its piece counts as sent and must be part of what goes again.
   */
  async #replayFrom(from: number): Promise<Uint8Array[]> {
    await this.settle();
    if (!this.canResumeFrom(from)) throw new RegistryProtocolError(`${this.#expected.what}: cannot send again from byte ${from}`);
    if (this.#reader.rewindsAnywhere) {
      if (from !== this.#position) (this.#reader.rewind as (from: number) => void)(from);
      this.#position = from;
      return [];
    }
    const replay: Uint8Array[] = [];
    let position = this.#sent - this.#windowBytes;
    for (const piece of this.#window) {
      const end = position + piece.byteLength;
      if (end > from) replay.push(position >= from ? piece : piece.subarray(from - position));
      position = end;
    }
    return replay;
  }

  #read(): Promise<Uint8Array | undefined> {
    // One read of the source at a time: the transport may still pull while the upload reads the end.
    const previous = this.#reading;
    const reading = previous === undefined ? this.#next() : previous.then(this.#nextPiece, this.#nextPiece);
    this.#reading = reading;
    return reading;
  }

  readonly #nextPiece = () => this.#next();

  async #next(): Promise<Uint8Array | undefined> {
    try {
      const piece = await this.#reader.piece();
      if (piece === undefined) {
        if (this.#position < this.#sent) {
          throw new RegistryProtocolError(`${this.#expected.what}: read again, the content ended at byte ${this.#position}`);
        }
        // Read to its end again after a resume: checked the first time.
        if (!this.#ended) await this.#finish();
        return undefined;
      }
      const start = this.#position;
      this.#position += piece.byteLength;
      // Bytes read again after a rewind were hashed and counted the first time.
      const fresh = this.#position - this.#sent;
      if (fresh > 0) {
        const { size, what } = this.#expected;
        if (size !== undefined && this.#position > size) {
          throw new InvalidOptionError('size', `@regkit/core: options.size is ${size} but ${what} has more bytes`);
        }
        this.#hasher?.update(fresh === piece.byteLength ? piece : piece.subarray(this.#sent - start));
        if (!this.#reader.rewindsAnywhere) this.#keep(piece);
        this.#sent = this.#position;
        this.#onSent(this.#sent);
      }
      return piece;
    } catch (error) {
      this.#failure ??= error;
      throw error;
    }
  }

  async #finish(): Promise<void> {
    const { size, digest, what } = this.#expected;
    if (size !== undefined && this.#sent !== size) {
      throw new InvalidOptionError('size', `@regkit/core: options.size is ${size} but the content is ${this.#sent} bytes`);
    }
    const actual = this.#hasher === undefined ? digest : await this.#hasher.digest();
    if (digest !== undefined && actual !== digest) throw new DigestMismatchError(digest, actual ?? '', 'request', what);
    this.#digest = actual;
    this.#ended = true;
  }

  #keep(piece: Uint8Array): void {
    this.#window.push(piece);
    this.#windowBytes += piece.byteLength;
    // Drop the oldest pieces while the rest still covers the window.
    for (;;) {
      const oldest = this.#window[0];
      if (oldest === undefined || this.#windowBytes - oldest.byteLength < RESUME_WINDOW_BYTES) return;
      this.#window.shift();
      this.#windowBytes -= oldest.byteLength;
    }
  }
}
