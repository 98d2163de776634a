/**
 * `body`, read through one chunk at a time (no read-ahead): `ended` runs
 * when the caller has read it to its end, when it fails, or when the caller
 * cancels it, whichever comes first; it may run more than once, so it must
 * be idempotent. The pipeline uses it to give back a request slot and to
 * start a timer at the moment a body is done with.
 */
export function onBodyEnd(body: ReadableStream<Uint8Array>, ended: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (error) {
          ended();
          throw error;
        }
        if (chunk.done) {
          ended();
          controller.close();
        } else {
          controller.enqueue(chunk.value);
        }
      },
      cancel(reason) {
        ended();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
