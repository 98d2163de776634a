import type { HeaderMap, TransportRequest, TransportResponse } from '../transport';

/** True when the response has no body by definition: a `HEAD` answer, `204 No Content`, `304 Not Modified`. */
export function hasNoBody(method: string, status: number): boolean {
  return method === 'HEAD' || status === 204 || status === 304;
}

/** The parts of a raw response that {@link finishResponse} assembles. */
export interface RawResponse<Body> {
  /** The HTTP status code. */
  readonly status: number;
  /** The response headers, already joined (see `joinHeaders`). */
  readonly headers: HeaderMap;
  /** The library's body, if any. */
  readonly body: Body | null | undefined;
  /** Turns the library's body into the stream core reads (usually a bridge from `body-bridge`). */
  readonly open: (body: Body) => ReadableStream<Uint8Array>;
  /** Releases a body nobody will read, so the connection returns to the pool. Must not throw. */
  readonly discard: (body: Body) => void;
}

/**
 * The {@link TransportResponse} for a request: the request URL (transports
 * never follow redirects), and a `null` body for HEAD, 204 and 304, whose
 * library body is discarded rather than left to hold the connection.
 */
export function finishResponse<Body>(request: TransportRequest, raw: RawResponse<Body>): TransportResponse {
  const { status, headers, body } = raw;
  const none = body === null || body === undefined;
  if (hasNoBody(request.method, status)) {
    if (!none) raw.discard(body);
    return { status, headers, url: request.url, body: null };
  }
  return { status, headers, url: request.url, body: none ? null : raw.open(body) };
}
