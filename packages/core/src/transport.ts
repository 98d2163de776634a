/**
 * The HTTP seam of regkit. Core owns every registry rule (auth, redirects,
 * digests, limits); a transport only moves one request and one response.
 * These types are structural and minimal on purpose, so a transport over any
 * HTTP library type-checks without importing it here.
 */

/** HTTP methods the registry API uses. */
export type HttpMethod = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

/**
 * Header map with lower-case names. Repeated response headers are joined with
 * `", "` (RFC 9110 §5.3), which keeps `WWW-Authenticate` and `Link` parseable.
 */
export type HeaderMap = Record<string, string>;

/** A request body: bytes, or a stream that is read exactly once. */
export type RequestBody = Uint8Array | ReadableStream<Uint8Array>;

/** One HTTP request, already fully resolved by core. */
export interface TransportRequest {
  /** The HTTP method. */
  readonly method: HttpMethod;
  /** Absolute URL (`http:` or `https:`). */
  readonly url: string;
  /** Request headers, lower-case names. */
  readonly headers: HeaderMap;
  /** Optional body; absent for GET, HEAD and DELETE. */
  readonly body?: RequestBody;
}

/** Per-request options handed to {@link Transport.send}. */
export interface TransportSendOptions {
  /**
   * Aborts the request. Core combines the caller's signal with its own
   * timeout, so a transport needs to honour only this one signal. When it
   * fires, `send` rejects (or the body stream errors) with `signal.reason`.
   */
  readonly signal?: AbortSignal;
}

/** One HTTP response, as received: never followed, never decoded. */
export interface TransportResponse {
  /** The HTTP status code, whatever it is (1xx excluded). */
  readonly status: number;
  /** Response headers, lower-case names, repeated values joined with `", "`. */
  readonly headers: HeaderMap;
  /** The URL that answered: the request URL, since transports never follow redirects. */
  readonly url: string;
  /**
   * The body as a stream, unread. `null` when there is none (HEAD, 204, 304).
   * Core always either reads it to the end or cancels it, so the transport can
   * reuse the connection.
   */
  readonly body: ReadableStream<Uint8Array> | null;
}

/**
 * Sends exactly one HTTP request.
 *
 * Contract (checked by the transport contract suite in `@regkit/testing`):
 * - resolves for every HTTP status, 4xx and 5xx included; rejects only when no
 *   response arrived (network failure, timeout, abort);
 * - never follows redirects: a 3xx is returned as is, so core can decide
 *   where credentials may go;
 * - streams both bodies and never buffers a whole blob;
 * - rejects with `signal.reason` when the signal aborts before or during the
 *   request, and errors the body stream with it when it aborts mid-body;
 * - wraps other failures in `TransportError` (or its `TimeoutError` subclass)
 *   with the original error as `cause`.
 *
 * @example
 * A transport over the platform's `fetch`:
 * ```ts
 * import { createFetchTransport, Registry } from '@regkit/core';
 * const registry = new Registry({ domain: 'ghcr.io', transport: createFetchTransport() });
 * ```
 */
export interface Transport {
  /** Version of this contract; core refuses transports that speak another. */
  readonly specificationVersion: 'v1';
  /** A short name for logs and errors, e.g. `fetch`, `undici`, `axios`. */
  readonly name: string;
  /**
   * True when a `ReadableStream` request body goes out as it is read, with
   * memory bounded whatever its length. Core then uploads a large or
   * unknown-length blob as one streamed request (one round trip) instead of
   * one request per bounded chunk. Leave it unset when memory grows with
   * the length of a stream body: Node.js 20's `fetch` sends it as it is
   * produced but keeps every chunk until the request ends (the transport
   * contract's `upload-large` check fails it), and browsers stream request
   * bodies over HTTP/2 only.
   */
  readonly streamsRequestBodies?: boolean;
  /** Sends one request and resolves with its response. */
  send(request: TransportRequest, options?: TransportSendOptions): Promise<TransportResponse>;
  /** Releases pooled connections. Optional. */
  close?(): Promise<void>;
}
