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
  const abandoned = { ended, reader };
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
    ABANDONED?.unregister(abandoned);
    ended();
  };
  ABANDONED?.register(wrapped, abandoned, abandoned);
  return wrapped;
}

/** What is left to do for a body the caller dropped: its `ended`, and its source to cancel. */
interface Abandoned {
  readonly ended: () => void;
  readonly reader: ReadableStreamDefaultReader<Uint8Array>;
}

const ABANDONED =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry<Abandoned>(({ ended, reader }) => {
        ended();
        reader.cancel(new Error('the response body was dropped without being read or cancelled')).catch(() => undefined);
      })
    : undefined;
