import { releaseBody } from './body';
import type { DigestAlgorithm } from './digest';
import { DigestMismatchError, RegistryProtocolError, TransportError } from './errors';
import { createHasher, type Hasher } from './hasher';
import type { HeldResponse } from './requester';
import { bytesToStream } from './transport-kit/body-bridge';

/** Sends the blob's GET, with a `Range` header when given; the response holds a request slot until `release`. */
export type OpenBlob = (range: string | undefined) => Promise<HeldResponse>;

/** What a {@link BlobSource} reads and how it may resume. */
export interface BlobSourceSettings {
  /** Names the blob in errors. */
  readonly what: string;
  /** The digest the content must hash to. */
  readonly digest: string;
  readonly algorithm: DigestAlgorithm;
  /** The exact length, when known (the descriptor's, else the announced one). */
  readonly size: number | undefined;
  /** The registry serves byte ranges of this blob (`Accept-Ranges: bytes` and a known size). */
  readonly ranges: boolean;
  /** Dropped connections resumed at most, over the whole read. */
  readonly maxResumes: number;
  readonly signal: AbortSignal | undefined;
  /** Called with the count of verified bytes each time it grows. */
  readonly onProgress?: ((verified: number) => void) | undefined;
}

const noop = (): void => undefined;
const emptyBody = (): ReadableStream<Uint8Array> => bytesToStream(new Uint8Array(0));

/** The first byte position of a 206 response's `Content-Range: bytes <start>-<end>/<total>`. */
function rangeStart(contentRange: string | undefined): number | undefined {
  const match = /^bytes\s+(\d+)-\d+\/(?:\d+|\*)$/i.exec(contentRange?.trim() ?? '');
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/**
 * A blob download read piece by piece: every byte is hashed once and the
 * digest checked before the last piece is given out as the end; the length is
 * held to the known size; a dropped connection resumes with a `Range` request
 * from the next byte. {@link rewind} starts it over from an earlier byte, so
 * an upload that must send bytes again reads them from the registry instead
 * of keeping them in memory.
 *
 * Bytes read a second time are not hashed again (the first pass verified
 * them); an upload that sends them commits with the digest, which the
 * receiving registry checks over everything it stored.
 */
export class BlobSource {
  readonly #open: OpenBlob;
  readonly #settings: BlobSourceSettings;
  readonly #hasher: Hasher;
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  #release: () => void;
  /** The byte the next piece starts at. */
  #position = 0;
  /** Bytes hashed so far: every byte below passed through the hasher exactly once. */
  #verified = 0;
  /** Set by a rewind: the next read opens the blob from this byte. */
  #reopenAt: number | undefined;
  /** The whole blob was read and matched its digest. */
  #complete = false;
  #resumes = 0;
  #reading = false;
  /** Why reading stopped early (a failure, or a cancel): every later read throws it, never ends quietly. */
  #stopped: { readonly reason: unknown } | undefined;

  constructor(first: HeldResponse, open: OpenBlob, settings: BlobSourceSettings) {
    this.#open = open;
    this.#settings = settings;
    this.#hasher = createHasher(settings.algorithm);
    this.#release = first.release;
    this.#reader = (first.response.body ?? emptyBody()).getReader();
  }

  /** The blob's length, when known: the descriptor's, else the one the registry announced. */
  get size(): number | undefined {
    return this.#settings.size;
  }

  /** True when the registry serves ranges of the blob: {@link rewind} then takes any byte already read, else only 0. */
  get servesRanges(): boolean {
    return this.#settings.ranges;
  }

  /** True when {@link rewind} can start over from byte `from`. */
  canRewind(from: number): boolean {
    return from === 0 || (this.#settings.ranges && from > 0 && from <= this.#verified);
  }

  /**
   * Makes the next {@link piece} start at byte `from`, which must have been
   * read already ({@link canRewind}). The current response, if any, is
   * released now; the registry is asked again on the next read. Not while a
   * read is pending.
   */
  rewind(from: number): void {
    if (this.#reading) throw new Error('@regkit/core: BlobSource.rewind() while a read is pending');
    if (this.#stopped !== undefined) throw this.#stopped.reason;
    if (!this.canRewind(from)) {
      throw new RegistryProtocolError(`${this.#settings.what}: cannot read again from byte ${from}`);
    }
    if (from === this.#position && this.#reader !== undefined && this.#reopenAt === undefined) return;
    this.#drop();
    this.#reopenAt = from;
  }

  /** The next piece as the registry sent it, or `undefined` at the verified end. */
  async piece(): Promise<Uint8Array | undefined> {
    if (this.#stopped !== undefined) throw this.#stopped.reason;
    this.#reading = true;
    try {
      return await this.#piece();
    } catch (error) {
      this.#stopped = { reason: error };
      throw error;
    } finally {
      this.#reading = false;
    }
  }

  /** Stops reading: the response is cancelled and its slot returned. */
  async cancel(reason?: unknown): Promise<void> {
    this.#stopped ??= { reason: reason ?? new Error(`${this.#settings.what}: read after cancel`) };
    await this.#drop(reason);
  }

  async #piece(): Promise<Uint8Array | undefined> {
    const { size, what } = this.#settings;
    for (;;) {
      if (this.#reopenAt !== undefined) await this.#reopen(this.#reopenAt, undefined);
      const reader = this.#reader;
      if (reader === undefined) return undefined;
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        // That response is over: its slot goes back before a resume asks for another.
        this.#drop();
        await this.#resume(error);
        continue;
      }
      if (chunk.done) {
        this.#drop();
        await this.#finish();
        return undefined;
      }
      const piece = chunk.value;
      const start = this.#position;
      this.#position += piece.byteLength;
      if (size !== undefined && this.#position > size) {
        // Stop the source too: an endless body must not keep the connection busy.
        this.#drop();
        throw new RegistryProtocolError(`${what}: received more than the ${size} bytes the blob has`);
      }
      if (this.#position > this.#verified) {
        this.#hasher.update(start >= this.#verified ? piece : piece.subarray(this.#verified - start));
        this.#verified = this.#position;
        this.#settings.onProgress?.(this.#verified);
      }
      return piece;
    }
  }

  /** A dropped connection costs only the bytes not yet received: ask for the rest. */
  async #resume(error: unknown): Promise<void> {
    const { ranges, maxResumes, signal } = this.#settings;
    if (!ranges || this.#resumes >= maxResumes || signal?.aborted || !TransportError.isInstance(error)) throw error;
    this.#resumes++;
    await this.#reopen(this.#position, error);
  }

  async #reopen(from: number, cause: unknown): Promise<void> {
    this.#reopenAt = undefined;
    const { what, size } = this.#settings;
    if (from > 0 && from === size) {
      // Nothing left to ask for (a range starting at the size would be refused): the end comes next.
      this.#position = from;
      this.#release = noop;
      this.#reader = emptyBody().getReader();
      return;
    }
    // From the start, any registry can answer; from elsewhere only one that serves ranges.
    const opened = await this.#open(from === 0 ? undefined : `bytes=${from}-`);
    const { response } = opened;
    this.#release = opened.release;
    const expected = from === 0 ? 200 : 206;
    if (response.status !== expected || (from > 0 && rangeStart(response.headers['content-range']) !== from)) {
      releaseBody(response.body);
      this.#release();
      throw new RegistryProtocolError(`${what}: could not resume at byte ${from}; the registry ignored the Range request`, {
        cause,
      });
    }
    this.#position = from;
    this.#reader = (response.body ?? emptyBody()).getReader();
  }

  async #finish(): Promise<void> {
    if (this.#complete) {
      if (this.#position === this.#verified) return;
      throw new RegistryProtocolError(`${this.#settings.what}: read again, the body ended at byte ${this.#position}`);
    }
    const { size, what, digest } = this.#settings;
    if (size !== undefined && this.#position !== size) {
      throw new RegistryProtocolError(`${what}: body ended after ${this.#position} of ${size} bytes`);
    }
    const actual = await this.#hasher.digest();
    if (actual !== digest) throw new DigestMismatchError(digest, actual, 'request', what);
    this.#complete = true;
  }

  /**
   * Lets go of the current response, if any: its slot goes back at once, and
   * its reader is cancelled (a no-op for one that already ended or failed).
   */
  #drop(reason?: unknown): Promise<void> {
    const reader = this.#reader;
    this.#reader = undefined;
    this.#release();
    return reader?.cancel(reason).catch(() => undefined) ?? Promise.resolve();
  }
}
