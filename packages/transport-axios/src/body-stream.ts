import type { Readable } from 'node:stream';

/** How a response body stream is turned into what the Transport contract promises. */
export interface BodyStreamOptions {
  /** Maps a read failure (reset, truncation, abort) to the error the consumer sees. */
  readonly mapError: (error: unknown) => unknown;
  /** Longest wait for the next chunk while the consumer waits for one; 0 disables. */
  readonly idleTimeoutMs: number;
  /** Creates the error for an idle timeout. */
  readonly timeoutError: () => unknown;
  /** Destroys the source when it aborts, whatever the HTTP library does on its own. */
  readonly signal: AbortSignal | undefined;
}

/**
 * Exposes a Node.js response stream (what axios' http adapter returns for
 * `responseType: 'stream'`) as a WHATWG stream without buffering: each
 * `read()` pulls one chunk (`highWaterMark` 0 here; the socket's own buffer
 * applies backpressure). `cancel()` destroys the source, closing the
 * connection instead of downloading the rest.
 */
export function nodeToWebStream(source: Readable, options: BodyStreamOptions): ReadableStream<Uint8Array> {
  const { mapError, idleTimeoutMs, timeoutError, signal } = options;
  // A reset or abort can error the source while nobody reads it; without a
  // listener that would be an uncaught exception. The iterator still reports
  // the stored error on the next read.
  source.on('error', () => undefined);
  const onAbort = () => source.destroy(signal?.reason instanceof Error ? signal.reason : undefined);
  signal?.addEventListener('abort', onAbort, { once: true });
  const release = () => signal?.removeEventListener('abort', onAbort);
  source.once('close', release);

  const chunks = source[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        let timedOut = false;
        if (idleTimeoutMs > 0) {
          timer = setTimeout(() => {
            timedOut = true;
            source.destroy();
          }, idleTimeoutMs);
        }
        let next: IteratorResult<Buffer | string>;
        try {
          next = await chunks.next();
        } catch (error) {
          controller.error(timedOut ? timeoutError() : mapError(error));
          return;
        } finally {
          clearTimeout(timer);
        }
        if (next.done) {
          // A destroyed source can end its iterator quietly; that is not a complete body.
          if (timedOut) controller.error(timeoutError());
          else if (signal?.aborted) controller.error(signal.reason);
          else controller.close();
          return;
        }
        controller.enqueue(toBytes(next.value));
      },
      cancel() {
        release();
        source.destroy();
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * Re-exposes a WHATWG body (axios' fetch adapter, or a custom adapter) chunk
 * by chunk so its errors can be mapped.
 */
export function guardWebStream(
  body: ReadableStream<Uint8Array>,
  mapError: (error: unknown) => unknown,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (error) {
          controller.error(mapError(error));
          return;
        }
        if (chunk.done) controller.close();
        else controller.enqueue(toBytes(chunk.value));
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/** A single-chunk stream over bytes an adapter already buffered. */
export function bytesToWebStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (bytes.byteLength > 0) controller.enqueue(bytes);
      controller.close();
    },
  });
}

/** A plain view (no copy), so consumers see a Uint8Array and not a Buffer. */
export function toBytes(chunk: Uint8Array | ArrayBuffer | string): Uint8Array {
  if (typeof chunk === 'string') return new TextEncoder().encode(chunk);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}
