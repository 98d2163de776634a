import { BodyTooLargeError } from './errors';
import type { HeaderMap } from './transport';
import { bytesToStream } from './transport-kit/body-bridge';

/** Concatenates chunks into one buffer. */
export function concatChunks(chunks: readonly Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]?.byteLength === length) return chunks[0];
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** The declared `content-length`, when it is a valid non-negative integer. */
export function contentLength(headers: Readonly<HeaderMap>): number | undefined {
  const value = headers['content-length'];
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

/**
 * Reads a whole body, refusing to hold more than `limit` bytes: a hostile or
 * broken registry cannot make the client allocate without bound. The stream
 * is cancelled as soon as the cap is crossed.
 */
export async function readCapped(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
  what: string,
  declaredLength?: number,
): Promise<Uint8Array> {
  if (body === null) return new Uint8Array(0);
  if (declaredLength !== undefined && declaredLength > limit) {
    releaseBody(body);
    throw new BodyTooLargeError(what, limit);
  }
  return collectCapped(body.getReader(), limit, what);
}

// The reader is never released: the body ends read to its end, cancelled or errored, and nobody
// reads it again. Releasing would cost a fresh V8 context on Node 20 (it builds the "released"
// error through a cross-realm regex), a millisecond or two of every short-lived program's start.
async function collectCapped(reader: ReadableStreamDefaultReader<Uint8Array>, limit: number, what: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > limit) {
      reader.cancel().catch(() => undefined);
      throw new BodyTooLargeError(what, limit);
    }
    chunks.push(value);
  }
  return concatChunks(chunks, length);
}

/** A short body read into memory as it arrives, see {@link holdBody}. */
export interface HeldBody {
  /** The body again, from memory; `null` when it was longer than the limit or failed to arrive. */
  replay(): Promise<ReadableStream<Uint8Array> | null>;
  /** Stops reading, for a body nobody will want. */
  release(): void;
}

const NOTHING_HELD: HeldBody = { replay: () => Promise.resolve(null), release: () => undefined };

/**
 * Starts reading a short body (at most `limit` bytes) into memory while the
 * caller does other work, so that the transport can give its connection back
 * as soon as the body has arrived rather than when the caller gets round to
 * it. A challenge's body would otherwise keep its connection busy for the
 * whole token request, and the resend that follows would open another.
 */
export function holdBody(body: ReadableStream<Uint8Array> | null, limit: number): HeldBody {
  if (body === null || body.locked) return NOTHING_HELD;
  const reader = body.getReader();
  const bytes = collectCapped(reader, limit, 'held body').catch(() => null);
  return {
    replay: () => bytes.then((held) => (held === null ? null : bytesToStream(held))),
    // Once the read has ended, closed or errored, a cancel changes nothing: no need to track it.
    release: () => void reader.cancel().catch(() => undefined),
  };
}

/**
 * Releases a body nobody will read, so the transport can free the
 * connection. Not awaited: some streams settle `cancel()` only once the peer
 * reacts, and nothing the caller does depends on it.
 */
export function releaseBody(body: ReadableStream<Uint8Array> | null): void {
  if (body === null || body.locked) return;
  body.cancel().catch(() => undefined);
}
