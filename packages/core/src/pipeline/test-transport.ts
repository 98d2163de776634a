/**
 * A scripted transport for the pipeline's own tests: records every request
 * that reaches it and how many are in flight (a response's body counts until
 * it is read to the end or cancelled). Not exported from the package.
 */
import type { Transport, TransportRequest, TransportResponse } from '../transport';

/** What a scripted handler answers. */
export interface ScriptedResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: Uint8Array | string | ReadableStream<Uint8Array>;
}

/** A transport that answers with `handler` and records what it was sent. */
export interface RecordingTransport extends Transport {
  /** Every request, in order, as the transport saw it. */
  readonly calls: TransportRequest[];
  /** The most requests in flight at once so far. */
  readonly maxInFlight: number;
  /** Requests in flight now. */
  readonly inFlight: number;
}

export function recordingTransport(
  handler: (request: TransportRequest) => ScriptedResponse | Promise<ScriptedResponse>,
): RecordingTransport {
  const calls: TransportRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const done = () => {
    inFlight--;
  };
  return {
    specificationVersion: 'v1',
    name: 'recording',
    calls,
    get maxInFlight() {
      return maxInFlight;
    },
    get inFlight() {
      return inFlight;
    },
    async send(request, options): Promise<TransportResponse> {
      options?.signal?.throwIfAborted();
      calls.push(request);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      let answer: ScriptedResponse;
      try {
        // A turn of the event loop, so concurrent callers really overlap.
        await new Promise((resolve) => setTimeout(resolve, 0));
        answer = await handler(request);
      } catch (error) {
        done();
        throw error;
      }
      const body = answer.body === undefined || request.method === 'HEAD' ? null : tracked(toStream(answer.body), done);
      if (body === null) done();
      return { status: answer.status, headers: answer.headers ?? {}, url: request.url, body };
    },
  };
}

function toStream(body: Uint8Array | string | ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  if (body instanceof ReadableStream) return body;
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

function tracked(body: ReadableStream<Uint8Array>, done: () => void): ReadableStream<Uint8Array> {
  let finished = false;
  const finish = () => {
    if (!finished) {
      finished = true;
      done();
    }
  };
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const chunk = await reader.read();
        if (chunk.done) {
          finish();
          controller.close();
        } else controller.enqueue(chunk.value);
      } catch (error) {
        finish();
        controller.error(error);
      }
    },
    cancel(reason) {
      finish();
      return reader.cancel(reason);
    },
  });
}
