import { TimeoutError } from '../errors/transport-errors';
import { StallTimer } from './stall-timer';

/**
 * A Node.js `Readable` as far as the bridge needs one (structural, so core
 * does not import `node:stream`): it iterates chunks and can be destroyed.
 */
export interface NodeReadableLike extends AsyncIterable<unknown> {
  /** Stops the stream and frees its resources (the socket), optionally with the error that ended it. */
  destroy(error?: Error): unknown;
  /** Subscribes to the stream's failure, which may come while nobody is reading. */
  on(event: 'error', listener: (error: unknown) => void): unknown;
  /**
   * Node's `IncomingMessage` sets it once the whole message has arrived. A
   * cancel then reads out what is buffered instead of destroying the stream,
   * which would close a connection that could serve the next request.
   */
  readonly complete?: boolean;
}

/** How a body stream is re-exposed by {@link bridgeWebStream} and {@link bridgeNodeStream}. */
export interface BodyBridgeOptions {
  /** Maps a read failure (reset, truncation) to the error the consumer sees. Default: unchanged. */
  readonly mapError?: (error: unknown) => unknown;
  /**
   * Longest wait for the next chunk while the consumer waits for one (a
   * stall timeout, not a limit on the whole body). `0` or absent disables it.
   */
  readonly idleTimeoutMs?: number;
  /** The error for a stall, given the limit and the time actually waited. Default: a `TimeoutError('body', …)`. */
  readonly timeoutError?: (idleTimeoutMs: number, waitedMs: number) => unknown;
  /** When it aborts, the stream errors with `signal.reason` and the source is released, whatever the library does. */
  readonly signal?: AbortSignal | undefined;
}

/** One chunk source: what the two bridges differ in. */
interface ChunkSource {
  next(): Promise<IteratorResult<unknown>>;
  /** Stops the source after a failure (abort, stall, read error): nothing more is wanted from it. */
  release(reason: unknown): unknown;
  /** Lets go of the source the consumer cancelled. Default: {@link ChunkSource.release}. */
  cancel?(reason: unknown): unknown;
}

/**
 * Re-exposes a WHATWG body (a `fetch` response, a custom adapter's stream)
 * chunk by chunk, without read-ahead (`highWaterMark` 0), so its errors are
 * mapped, a stall is cut off by the idle timeout and an abort errors it with
 * `signal.reason`. Cancelling the result cancels the source.
 */
export function bridgeWebStream(body: ReadableStream<Uint8Array>, options: BodyBridgeOptions = {}): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return bridge({ next: () => reader.read(), release: (reason) => reader.cancel(reason).catch(() => undefined) }, options);
}

/**
 * Exposes a Node.js response stream (undici's body, axios' `responseType:
 * 'stream'`, a user's `Readable`) as a WHATWG stream without buffering: each
 * read pulls one chunk, the source's own buffer applies backpressure to the
 * socket. Releasing (cancel, abort, stall) destroys the source, which closes
 * the connection instead of downloading the rest; only a cancelled source
 * that says the whole message has arrived (`complete`, as Node's
 * `IncomingMessage` does) is read out instead, so that its connection goes
 * back to the pool (registries answer most writes with a short body that core
 * cancels unread). Chunks come out as plain `Uint8Array` views (no copy),
 * strings as UTF-8.
 */
export function bridgeNodeStream(source: NodeReadableLike, options: BodyBridgeOptions = {}): ReadableStream<Uint8Array> {
  // An abort, timeout or reset can error the source while nobody reads it;
  // without a listener that would be an uncaught exception. The iterator
  // still reports the stored error on the next read.
  source.on('error', () => undefined);
  const chunks = source[Symbol.asyncIterator]();
  return bridge(
    {
      next: () => chunks.next(),
      release: () => source.destroy(),
      cancel: () => (source.complete === true ? readOut(chunks, source) : source.destroy()),
    },
    options,
  );
}

/** Reads a source to its end, from memory: every byte has arrived. A failure destroys it (the connection is then lost, not reused). */
async function readOut(chunks: AsyncIterator<unknown>, source: NodeReadableLike): Promise<void> {
  try {
    while (!(await chunks.next()).done);
  } catch {
    source.destroy();
  }
}

function bridge(source: ChunkSource, options: BodyBridgeOptions): ReadableStream<Uint8Array> {
  const { mapError = (error: unknown) => error, idleTimeoutMs = 0, signal } = options;
  const timeoutError = options.timeoutError ?? ((ms: number, waitedMs: number) => new TimeoutError('body', ms, { waitedMs }));
  let finished = false;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const onAbort = () => fail(signal?.reason);
  const stall = new StallTimer(idleTimeoutMs, (waitedMs) => fail(timeoutError(idleTimeoutMs, waitedMs)));
  const finish = () => {
    finished = true;
    stall.dispose();
    signal?.removeEventListener('abort', onAbort);
  };
  // Once failed, a late chunk or end from the source is ignored: a destroyed
  // source may end its iterator quietly, and that is not a complete body.
  function fail(error: unknown): void {
    if (finished) return;
    finish();
    controller.error(error);
    source.release(error);
  }
  return new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        if (signal?.aborted) onAbort();
        else signal?.addEventListener('abort', onAbort, { once: true });
      },
      async pull(c) {
        stall.start();
        let next: IteratorResult<unknown>;
        try {
          next = await source.next();
        } catch (error) {
          fail(signal?.aborted ? signal.reason : mapError(error));
          return;
        } finally {
          stall.stop();
        }
        if (finished) return;
        if (next.done) {
          finish();
          c.close();
          return;
        }
        c.enqueue(toBytes(next.value));
      },
      cancel(reason) {
        if (finished) return;
        finish();
        return Promise.resolve(source.cancel ? source.cancel(reason) : source.release(reason)).then(() => undefined);
      },
    },
    { highWaterMark: 0 },
  );
}

/** A plain `Uint8Array` view of a chunk (no copy), so consumers never see a `Buffer` or a string. */
export function toBytes(chunk: unknown): Uint8Array {
  if (typeof chunk === 'string') return new TextEncoder().encode(chunk);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError(`a body chunk must be bytes or a string, got ${typeof chunk}`);
}

/** A single-chunk stream over bytes an adapter already holds (e.g. a custom axios adapter's buffer). */
export function bytesToStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (bytes.byteLength > 0) controller.enqueue(bytes);
      controller.close();
    },
  });
}

function isNodeReadable(data: unknown): data is NodeReadableLike & { resume(): unknown } {
  const candidate = data as Partial<NodeReadableLike & { resume: unknown }> | null;
  return (
    typeof candidate?.destroy === 'function' &&
    typeof candidate.resume === 'function' &&
    typeof (candidate as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function'
  );
}

/**
 * Whatever body an HTTP library returned (a Node.js `Readable`, a WHATWG
 * stream, or bytes and strings a custom adapter buffered) as the stream core
 * reads, bridged with {@link bridgeNodeStream} or {@link bridgeWebStream}.
 *
 * @throws TypeError for anything else
 */
export function bridgeBody(data: unknown, options: BodyBridgeOptions = {}): ReadableStream<Uint8Array> {
  if (isNodeReadable(data)) return bridgeNodeStream(data, options);
  if (data instanceof ReadableStream) return bridgeWebStream(data as ReadableStream<Uint8Array>, options);
  return bytesToStream(toBytes(data));
}

/**
 * Releases a body nobody will read (HEAD, 204, 304) so the connection can
 * return to the pool: a Node.js stream is drained, a WHATWG stream
 * cancelled. Never throws, never waits.
 */
export function discardBody(data: unknown): void {
  if (isNodeReadable(data)) data.resume();
  else if (data instanceof ReadableStream && !data.locked) data.cancel().catch(() => undefined);
}
