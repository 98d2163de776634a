import { TimeoutError } from '../errors/transport-errors';
import type { RequestBody, TransportRequest, TransportResponse, TransportSendOptions } from '../transport';
import { bridgeBody, discardBody } from './body-bridge';
import { type HeaderSource, joinHeaders } from './headers';
import { mapNetworkError, type NetworkErrorContext } from './network-error';
import { startPhaseTimeout } from './phase-timeout';
import { assertUnusedBody, guardRequestBody } from './request-body';
import { parseRequestUrl } from './request-url';
import { finishResponse } from './response';

/**
 * The headers and body stall timeouts of regkit's transports when the user
 * sets none: 300 s, Node.js' own `fetch` defaults, long enough for a slow
 * registry and short enough that a dead connection does not hang a program.
 */
export const DEFAULT_TRANSPORT_TIMEOUT_MS = 300_000;

/** What an HTTP library answered, as far as {@link exchange} needs it. */
export interface LibraryResponse {
  /** The HTTP status code. */
  readonly status: number;
  /** Response headers in any shape {@link joinHeaders} reads. */
  readonly headers: HeaderSource | null | undefined;
  /** A Node.js `Readable`, a WHATWG stream, bytes or a string, or nothing. */
  readonly body: unknown;
}

/** What the library call of an {@link exchange} receives. */
export interface DispatchContext {
  /** The request URL, checked to be absolute `http:` or `https:`. */
  readonly url: URL;
  /**
   * The signal to hand the library: it aborts with the caller's reason, or
   * with a `TimeoutError` when the headers timeout runs out.
   */
  readonly signal: AbortSignal | undefined;
  /**
   * The request body to send: `request.body`, with a stream guarded so that
   * an abort or a failed request cancels the caller's stream (see
   * {@link guardRequestBody}). Send this one, not `request.body`.
   */
  readonly body: RequestBody | undefined;
}

/** How {@link exchange} runs one request. */
export interface ExchangeOptions {
  /** Prefix of error messages, e.g. `@regkit/transport-undici`. */
  readonly source: string;
  /**
   * Time allowed until the response headers, on the kit's own timer
   * (millisecond precision). `0`: none. Default {@link DEFAULT_TRANSPORT_TIMEOUT_MS}.
   */
  readonly headersTimeoutMs?: number | undefined;
  /**
   * Longest silence between two body chunks while the consumer reads (a
   * stall timeout). `0`: none. Default {@link DEFAULT_TRANSPORT_TIMEOUT_MS}.
   */
  readonly bodyTimeoutMs?: number | undefined;
  /** Library specifics for {@link mapNetworkError}; `timeouts` adds to the two above (e.g. `connect`). */
  readonly errors?: Pick<NetworkErrorContext, 'timeoutCodes' | 'explain' | 'causeOf' | 'timeouts'>;
  /** Releases a body nobody will read (HEAD, 204, 304); must not throw. Default {@link discardBody}. */
  readonly discard?: (body: unknown) => void;
  /** Replaces {@link mapNetworkError} altogether, e.g. for a transport that has no network. */
  readonly mapError?: (error: unknown, during: 'request' | 'body') => unknown;
}

/**
 * One request through an HTTP library, with everything the Transport
 * contract asks around the library call done once for every transport:
 * an aborted signal rejects before anything is sent; the URL and a stream
 * body are checked; the headers timeout runs on a plain timer; whatever the
 * call throws becomes `signal.reason`, a `TimeoutError` or a `NetworkError`
 * (no credential in it); a stream body is cancelled when the request fails
 * or is aborted; the response gets lower-case joined headers, the
 * request URL and a `null` body for HEAD, 204 and 304; any other body is
 * bridged to a WHATWG stream with the stall timeout and the abort.
 *
 * `dispatch` makes the library call with `context.signal` and returns what
 * the library answered; it may throw anything.
 */
export async function exchange(
  request: TransportRequest,
  sendOptions: TransportSendOptions | undefined,
  options: ExchangeOptions,
  dispatch: (context: DispatchContext) => Promise<LibraryResponse>,
): Promise<TransportResponse> {
  const signal = sendOptions?.signal;
  signal?.throwIfAborted();
  const url = parseRequestUrl(request, options.source);
  assertUnusedBody(request.body, options.source);
  const headersTimeoutMs = options.headersTimeoutMs ?? DEFAULT_TRANSPORT_TIMEOUT_MS;
  const bodyTimeoutMs = options.bodyTimeoutMs ?? DEFAULT_TRANSPORT_TIMEOUT_MS;
  const mapError =
    options.mapError ??
    ((error: unknown, during: 'request' | 'body') =>
      mapNetworkError(error, {
        ...options.errors,
        source: options.source,
        request,
        signal,
        during,
        timeouts: { headers: headersTimeoutMs, body: bodyTimeoutMs, ...options.errors?.timeouts },
      }));

  const guarded = guardRequestBody(request.body, signal);
  const phase = startPhaseTimeout(
    signal,
    headersTimeoutMs,
    (waitedMs) => new TimeoutError('headers', headersTimeoutMs, { waitedMs }),
  );
  let answer: LibraryResponse;
  try {
    answer = await dispatch({ url, signal: phase.signal, body: guarded.body });
  } catch (error) {
    // When our own timer fired, its TimeoutError is the answer, whatever the library made of the abort.
    const timedOut = phase.signal?.aborted === true && signal?.aborted !== true;
    const failure = mapError(timedOut ? phase.signal?.reason : error, 'request');
    guarded.release(failure);
    throw failure;
  } finally {
    phase.clear();
  }

  return finishResponse(request, {
    status: answer.status,
    headers: joinHeaders(answer.headers),
    body: answer.body,
    open: (body) => bridgeBody(body, { mapError: (error) => mapError(error, 'body'), idleTimeoutMs: bodyTimeoutMs, signal }),
    discard: options.discard ?? discardBody,
  });
}
