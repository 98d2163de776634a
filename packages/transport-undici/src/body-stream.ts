import type { Readable } from 'node:stream';

/**
 * Exposes an undici response body as a WHATWG stream without buffering it:
 * each `read()` pulls one chunk (`highWaterMark` 0 on this side; undici's
 * own 64 KiB buffer applies backpressure to the socket). Errors pass through
 * `mapError`, and `cancel()` destroys the body, which closes the connection
 * instead of downloading the rest.
 */
export function toWebStream(body: Readable, mapError: (error: unknown) => unknown): ReadableStream<Uint8Array> {
  // An abort, timeout or reset can error the body while nobody reads it, and
  // undici errors it on destroy(); without a listener either would be an
  // uncaught exception. The iterator still reports the stored error on the next read.
  body.on('error', () => undefined);
  const chunks = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let next: IteratorResult<Buffer>;
        try {
          next = await chunks.next();
        } catch (error) {
          controller.error(mapError(error));
          return;
        }
        if (next.done) {
          controller.close();
          return;
        }
        // A plain view (no copy), so consumers see a Uint8Array and not a Buffer.
        const chunk = next.value;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      },
      cancel() {
        body.destroy();
      },
    },
    { highWaterMark: 0 },
  );
}
