import type { BlobSource } from '../blob-source';
import { InvalidOptionError } from '../errors';

/**
 * Content a blob upload accepts: bytes, a web `ReadableStream`, or anything
 * async-iterable over byte chunks, which covers a Node.js `Readable` without
 * core importing `node:stream`.
 */
export type UploadContent = Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** One piece of the content, cut to the upload's chunk size. */
export interface Chunk {
  /** The bytes; at most the requested size. */
  readonly bytes: Uint8Array;
  /** True when nothing follows this chunk. */
  readonly last: boolean;
}

/**
 * Cuts content into chunks of an exact size, knowing for each whether it is
 * the last (so the last one can ride on the closing PUT). Memory stays at one
 * chunk plus one source piece of look-ahead, whatever the content's size.
 */
export interface ChunkReader {
  /** The content's length when the reader knows it up front (bytes). */
  readonly byteLength: number | undefined;
  /**
   * Present when the content can be read again: makes the next piece or
   * chunk start at byte `from`, at most the bytes read so far. Bytes keep
   * that ability (a restart), and so does a blob copied from a registry that
   * serves ranges (a resume that sends bytes again reads them anew instead
   * of keeping them). Not while a read is pending.
   */
  readonly rewind?: (from: number) => void;
  /** True when {@link rewind} takes any byte already read; false when it only starts over from 0. */
  readonly rewindsAnywhere: boolean;
  /** The next chunk of up to `size` bytes. */
  read(size: number): Promise<Chunk>;
  /**
   * The next piece as the source produced it (no copy), `undefined` at the
   * end: for a streamed upload, which needs no chunk boundaries.
   */
  piece(): Promise<Uint8Array | undefined>;
  /**
   * Hands a chunk's memory back once the registry has acknowledged it, so
   * the next chunk can reuse it: fresh multi-MiB buffers cost page faults
   * and garbage collection on every chunk.
   */
  release(chunk: Chunk): void;
  /** Stops reading and releases the source. */
  cancel(reason?: unknown): Promise<void>;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

/** Checks that `content` is something {@link createChunkReader} can read. */
export function assertUploadContent(content: unknown): asserts content is UploadContent {
  if (content instanceof Uint8Array || content instanceof ReadableStream || isAsyncIterable(content)) return;
  throw new InvalidOptionError(
    'content',
    '@regkit/core: blobs().upload() takes a Uint8Array, a ReadableStream or a Node.js Readable (an async iterable of bytes)',
  );
}

class BytesReader implements ChunkReader {
  readonly #bytes: Uint8Array;
  #offset = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  readonly rewindsAnywhere = true;

  get byteLength(): number {
    return this.#bytes.byteLength;
  }

  readonly rewind = (from: number): void => {
    this.#offset = from;
  };

  async read(size: number): Promise<Chunk> {
    const end = Math.min(this.#bytes.byteLength, this.#offset + size);
    const bytes = this.#bytes.subarray(this.#offset, end);
    this.#offset = end;
    return { bytes, last: end === this.#bytes.byteLength };
  }

  async piece(): Promise<Uint8Array | undefined> {
    if (this.#offset === this.#bytes.byteLength) return undefined;
    const rest = this.#bytes.subarray(this.#offset);
    this.#offset = this.#bytes.byteLength;
    return rest;
  }

  release(): void {}

  async cancel(): Promise<void> {}
}

/** Keeps at most two chunk buffers of one size: the chunk in flight and the one being filled. */
const POOL_LIMIT = 2;

type Pull = () => Promise<IteratorResult<unknown>>;

/** What a {@link StreamReader} reads from: a pull, its release, and a way to read again when the source has one. */
interface PieceSource {
  readonly pull: Pull;
  readonly release: (reason?: unknown) => Promise<void>;
  readonly rewind?: (from: number) => void;
  /** Asked when needed: a source may learn only from its first response whether it serves ranges. */
  readonly rewindsAnywhere?: () => boolean;
}

class StreamReader implements ChunkReader {
  readonly byteLength = undefined;
  readonly rewind?: (from: number) => void;
  readonly #rewindsAnywhere: (() => boolean) | undefined;
  readonly #pull: Pull;
  readonly #release: (reason?: unknown) => Promise<void>;
  #pending: Uint8Array | undefined;
  #ended = false;
  readonly #free: Uint8Array[] = [];
  readonly #owned = new Set<ArrayBufferLike>();

  constructor({ pull, release, rewind, rewindsAnywhere }: PieceSource) {
    this.#pull = pull;
    this.#release = release;
    this.#rewindsAnywhere = rewindsAnywhere;
    if (rewind !== undefined) {
      this.rewind = (from) => {
        rewind(from);
        this.#pending = undefined;
        this.#ended = false;
      };
    }
  }

  get rewindsAnywhere(): boolean {
    return this.#rewindsAnywhere?.() ?? false;
  }

  piece(): Promise<Uint8Array | undefined> {
    return this.#piece();
  }

  async #piece(): Promise<Uint8Array | undefined> {
    if (this.#pending !== undefined) {
      const piece = this.#pending;
      this.#pending = undefined;
      return piece;
    }
    while (!this.#ended) {
      const next = await this.#pull();
      if (next.done) {
        this.#ended = true;
        return undefined;
      }
      const value = next.value;
      if (!(value instanceof Uint8Array)) {
        throw new InvalidOptionError(
          'content',
          `@regkit/core: upload content must yield Uint8Array chunks, got ${typeof value === 'string' ? 'a string (remove the stream encoding)' : typeof value}`,
        );
      }
      if (value.byteLength > 0) return value;
    }
    return undefined;
  }

  async read(size: number): Promise<Chunk> {
    const first = await this.#piece();
    if (first === undefined) return { bytes: new Uint8Array(0), last: true };
    let bytes: Uint8Array;
    if (first.byteLength >= size) {
      bytes = first.subarray(0, size);
      if (first.byteLength > size) this.#pending = first.subarray(size);
    } else {
      // Copy into one buffer of the chunk's size: the transport then sends one bounded Uint8Array.
      const buffer = this.#buffer(size);
      buffer.set(first);
      let filled = first.byteLength;
      while (filled < size) {
        const piece = await this.#piece();
        if (piece === undefined) break;
        const take = Math.min(piece.byteLength, size - filled);
        buffer.set(piece.subarray(0, take), filled);
        filled += take;
        if (take < piece.byteLength) this.#pending = piece.subarray(take);
      }
      bytes = filled === size ? buffer : buffer.subarray(0, filled);
    }
    if (this.#pending !== undefined) return { bytes, last: false };
    const next = await this.#piece();
    if (next === undefined) return { bytes, last: true };
    this.#pending = next;
    return { bytes, last: false };
  }

  #buffer(size: number): Uint8Array {
    const reused = this.#free.pop();
    if (reused !== undefined && reused.byteLength === size) return reused;
    const buffer = new Uint8Array(size);
    if (this.#owned.size < POOL_LIMIT) this.#owned.add(buffer.buffer);
    return buffer;
  }

  release(chunk: Chunk): void {
    const { buffer, byteOffset } = chunk.bytes;
    if (!this.#owned.has(buffer) || byteOffset !== 0 || this.#free.length >= POOL_LIMIT) return;
    if (!this.#free.some((free) => free.buffer === buffer)) this.#free.push(new Uint8Array(buffer));
  }

  async cancel(reason?: unknown): Promise<void> {
    this.#ended = true;
    this.#pending = undefined;
    await this.#release(reason).catch(() => undefined);
  }
}

/** A chunk reader over any {@link UploadContent}. */
export function createChunkReader(content: UploadContent): ChunkReader {
  if (content instanceof Uint8Array) return new BytesReader(content);
  if (content instanceof ReadableStream) {
    const reader = content.getReader();
    return new StreamReader({
      pull: () => reader.read() as Promise<IteratorResult<unknown>>,
      release: (reason) => reader.cancel(reason),
    });
  }
  const iterator = content[Symbol.asyncIterator]();
  return new StreamReader({
    pull: () => iterator.next(),
    // `return()` closes a generator and destroys a Node.js Readable.
    release: async () => {
      await iterator.return?.();
    },
  });
}

const DONE: IteratorResult<unknown> = { done: true, value: undefined };

/**
 * A chunk reader over a blob download that can read its bytes again from
 * the registry. It takes the download still opening, so the upload's POST
 * and the download's GET travel at once; the first read waits for the
 * download, and reports its failure.
 */
export function createSourceChunkReader(opening: Promise<BlobSource>): ChunkReader {
  let source: BlobSource | undefined;
  const ready = opening.then((opened) => {
    source = opened;
    return opened;
  });
  // Read or released later; an upload that fails before its first read must not leave this unhandled.
  ready.catch(() => undefined);
  return new StreamReader({
    pull: async () => {
      const piece = await (source ?? (await ready)).piece();
      return piece === undefined ? DONE : { done: false, value: piece };
    },
    // Not awaited while the download still opens: a failed upload does not wait for the source to answer.
    release: async (reason) => {
      if (source !== undefined) await source.cancel(reason);
      else ready.then((opened) => opened.cancel(reason)).catch(() => undefined);
    },
    rewind: (from) => {
      // Nothing was read before the source opened: starting over from 0 is where it stands.
      if (source === undefined && from === 0) return;
      if (source === undefined) throw new Error('@regkit/core: rewind before the source opened');
      source.rewind(from);
    },
    rewindsAnywhere: () => source?.servesRanges ?? false,
  });
}
