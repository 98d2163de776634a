import { NetworkError } from '../errors/network-errors';
import type { RequestBody } from '../transport';
import { bridgeWebStream } from './body-bridge';

/** The largest chunk the request body helpers hand to an HTTP library, by default. */
export const DEFAULT_UPLOAD_CHUNK_BYTES = 64 * 1024;

/** Options of {@link requestBodyChunks}. */
export interface RequestBodyChunksOptions {
  /** Chunks longer than this are split (views, no copy). Default {@link DEFAULT_UPLOAD_CHUNK_BYTES}. */
  readonly chunkBytes?: number;
}

/**
 * Refuses a stream body that something already read or holds: a stream can
 * be sent once, and sending a used one would upload nothing or hang. Call it
 * before dispatching; the error is not retryable.
 */
export function assertUnusedBody(body: RequestBody | undefined, source: string): void {
  if (body === undefined || body instanceof Uint8Array) return;
  if (body.locked) {
    throw new NetworkError(
      `${source}: the request body stream is locked or was already read; a stream body can be sent only once`,
      { code: 'ERR_BODY_USED', retryable: false },
    );
  }
}

/**
 * A request body as an async iterable of bounded chunks: what undici takes
 * as `body`, and what Node's `Readable.from` turns into a stream for
 * axios. A web stream is read once, as the library asks for chunks (no
 * read-ahead), and cancelled when the library stops early (an abort, a
 * refused request); bytes are sliced without copying. Long chunks are split
 * so no library holds more than `chunkBytes` of the body at a time on their
 * account.
 */
export function requestBodyChunks(
  body: RequestBody | AsyncIterable<Uint8Array>,
  options: RequestBodyChunksOptions = {},
): AsyncIterable<Uint8Array> {
  const chunkBytes = options.chunkBytes ?? DEFAULT_UPLOAD_CHUNK_BYTES;
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 1) throw new RangeError('chunkBytes must be a positive integer');
  if (body instanceof Uint8Array) return slices([body], chunkBytes);
  if (body instanceof ReadableStream) {
    // Locked now, so a second send of the same stream fails at once instead of waiting for the library to read.
    const reader = body.getReader();
    return slices(readerChunks(reader), chunkBytes);
  }
  return slices(body, chunkBytes);
}

async function* readerChunks(reader: ReadableStreamDefaultReader<Uint8Array>): AsyncGenerator<Uint8Array> {
  let done = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) {
        done = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

async function* slices(source: Iterable<Uint8Array> | AsyncIterable<Uint8Array>, chunkBytes: number): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    for (let offset = 0; offset < chunk.byteLength; offset += chunkBytes) {
      yield chunk.subarray(offset, Math.min(offset + chunkBytes, chunk.byteLength));
    }
  }
}

/** A request body handed to a library, with a way to let go of it. See {@link guardRequestBody}. */
export interface GuardedRequestBody {
  /** The body to send: bytes as they are, a stream as a pass-through of the caller's. */
  readonly body: RequestBody | undefined;
  /** Cancels the caller's stream with `reason` unless it has ended; call it when the request failed. Never throws. */
  release(reason: unknown): void;
}

/**
 * Makes sure the caller's stream body is let go when a request ends early.
 * A library that is aborted mid-upload stops reading the body but does not
 * always cancel it (Node's `fetch` does not), and the producer behind it
 * (a file, a hash, a generator) would wait for ever. The returned stream
 * passes the bytes through unchanged, chunk by chunk as the library asks
 * (no read-ahead); when `signal` aborts or {@link GuardedRequestBody.release}
 * is called, the caller's stream is cancelled with the reason and the
 * library's read errors with it. Bytes need no guard and pass as they are.
 */
export function guardRequestBody(body: RequestBody | undefined, signal?: AbortSignal): GuardedRequestBody {
  if (body === undefined || body instanceof Uint8Array) return { body, release: () => undefined };
  // The response body bridge does exactly this for a stream read chunk by chunk: an abort errors
  // it and cancels its source. A release is one more abort, the request's own.
  const released = new AbortController();
  const stop = signal === undefined ? released.signal : AbortSignal.any([signal, released.signal]);
  return { body: bridgeWebStream(body, { signal: stop }), release: (reason) => released.abort(reason) };
}
