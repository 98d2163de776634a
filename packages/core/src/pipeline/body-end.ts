/**
 * `body`, read through one chunk at a time (no read-ahead): `ended` runs
 * when the caller has read it to its end, when it fails, or when the caller
 * cancels it, whichever comes first; it may run more than once, so it must
 * be idempotent. The pipeline uses it to give back a request slot and to
 * start a timer at the moment a body is done with.
 *
 * A body the caller drops without reading or cancelling it would hold its
 * slot (and its connection) for as long as the process lives. As a safety
 * net, once the garbage collector has reclaimed such a body, `ended` runs and
 * the source is cancelled. That happens whenever the collector gets to it,
 * so reading or cancelling every body stays the caller's part.
 */
export function onBodyEnd(body: ReadableStream<Uint8Array>, ended: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const dropped = whenDropped(() => {
    ended();
    reader.cancel(new Error('the response body was dropped without being read or cancelled')).catch(() => undefined);
  });
  const wrapped = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (error) {
          done();
          throw error;
        }
        if (chunk.done) {
          done();
          controller.close();
        } else {
          controller.enqueue(chunk.value);
        }
      },
      cancel(reason) {
        done();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  const done = () => {
    dropped.disarm();
    ended();
  };
  dropped.watch(wrapped);
  return wrapped;
}

/** What to do for a body the caller dropped unread; it must not hold the body itself. */
type LetGo = () => void;

const ABANDONED = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<LetGo>((letGo) => letGo()) : undefined;

/**
 * The safety net on its own, for a body that wraps its source another way (a
 * verified blob download): `letGo` runs once the collector reclaims the
 * watched body, unless `disarm` ran first. `letGo` must not reference the
 * body, or it would never be reclaimed.
 */
export function whenDropped(letGo: LetGo): { watch(body: object): void; disarm(): void } {
  const token = {};
  return {
    watch: (body) => ABANDONED?.register(body, letGo, token),
    disarm: () => ABANDONED?.unregister(token),
  };
}
