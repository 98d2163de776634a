import { NetworkError } from './errors/network-errors';
import { InvalidOptionError } from './errors/option-errors';
import { TimeoutError } from './errors/transport-errors';
import { type FetchDispatcher, headKeepAliveDispatcher } from './head-keep-alive';
import { assertKnownOptions } from './known-options';
import { redactUrl } from './redact';
import type { Transport, TransportRequest, TransportResponse, TransportSendOptions } from './transport';
import { bridgeWebStream } from './transport-kit/body-bridge';
import { joinHeaders, withIdentityEncoding } from './transport-kit/headers';
import { mapNetworkError } from './transport-kit/network-error';
import { assertTimerOption } from './transport-kit/options';
import { startPhaseTimeout } from './transport-kit/phase-timeout';
import { assertUnusedBody } from './transport-kit/request-body';
import { parseRequestUrl } from './transport-kit/request-url';
import { finishResponse } from './transport-kit/response';

/** Options of {@link createFetchTransport}. Every field is optional. */
export interface FetchTransportOptions {
  /**
   * The `fetch` to call. When omitted, `globalThis.fetch` is looked up on
   * every request (not once at creation), so a mock installed later, such as
   * MSW's interceptor, still sees the traffic.
   */
  readonly fetch?: typeof fetch;
  /**
   * On Node.js, keep the connection open after a `HEAD` (default `true`).
   * Node's `fetch` closes it otherwise, so every digest resolution would pay
   * a TCP connect. The transport passes `HEAD` requests a `dispatcher` that
   * forwards them to Node's global undici dispatcher with undici's
   * `reset: false`; other methods are untouched. It applies only with the
   * global `fetch` (not a `fetch` given here) on Node.js versions that bundle
   * undici 5 to 7, detected when a `HEAD` is sent; elsewhere (Deno, Bun,
   * browsers) `fetch` behaves as standard. Set `false` for a server known to
   * send a body with its `HEAD` answers, which would corrupt the next
   * response on a reused connection.
   */
  readonly keepAliveAfterHead?: boolean;
  /**
   * Time allowed from sending the request to receiving the response
   * headers, enforced by the transport's own timer. Default 300 000 ms; `0`
   * disables it.
   */
  readonly headersTimeoutMs?: number;
  /**
   * Longest silence allowed between two chunks of the response body while it
   * is being read (a stall timeout, not a limit on the whole download). The
   * transport enforces it on the stream, so it holds in every runtime.
   * Default 300 000 ms; `0` disables it.
   */
  readonly bodyTimeoutMs?: number;
}

const SOURCE = '@regkit/core fetch transport';
const KNOWN_OPTIONS = ['fetch', 'keepAliveAfterHead', 'headersTimeoutMs', 'bodyTimeoutMs'];
const DEFAULT_TIMEOUT_MS = 300_000;

/**
 * Creates a {@link Transport} over the standard `fetch`, with no
 * dependencies: it runs in Node.js 20.18+, Deno, Bun and browsers.
 *
 * What it does on top of `fetch`:
 * - sends `redirect: 'manual'`, so 3xx responses come back to core with their
 *   `Location`. Browsers hide redirects from scripts (an "opaque redirect"
 *   with status 0); the transport then throws a `TransportError` saying so,
 *   because core cannot follow a redirect it cannot see;
 * - sends `duplex: 'half'` for stream bodies (required by Node and Chromium;
 *   browsers other than Chromium over HTTP/2 cannot upload a stream at all);
 * - sends `accept-encoding: identity` unless the request sets
 *   `accept-encoding` itself. `fetch` otherwise advertises gzip/br on its own
 *   and silently decompresses, so the body would no longer match its
 *   `content-length` or its digest. Browsers forbid scripts to set this
 *   header and always decompress; a server that compresses a blob there
 *   yields decoded bytes (and a digest mismatch in core);
 * - times out waiting for headers and stalled bodies with `TimeoutError`
 *   (see {@link FetchTransportOptions.bodyTimeoutMs});
 * - rejects with `signal.reason` on abort, and wraps network failures in
 *   `NetworkError` (undici timeouts in `TimeoutError`) with the original
 *   error as `cause`, both for `send` and for errors while reading the body;
 *   request header values (credentials) never appear in them;
 * - on Node.js, keeps connections alive after `HEAD`, which Node's `fetch`
 *   would close (see {@link FetchTransportOptions.keepAliveAfterHead}).
 *
 * @example
 * ```ts
 * import { createFetchTransport, Registry } from '@regkit/core';
 * const registry = new Registry({ domain: 'ghcr.io', transport: createFetchTransport({ bodyTimeoutMs: 60_000 }) });
 * ```
 */
export function createFetchTransport(options: FetchTransportOptions = {}): Transport {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', `${SOURCE}: options must be an object`);
  }
  assertKnownOptions('@regkit/core', 'createFetchTransport()', options, KNOWN_OPTIONS);
  const custom = options.fetch;
  if (custom !== undefined && typeof custom !== 'function') {
    throw new InvalidOptionError('fetch', '@regkit/core: createFetchTransport: `fetch` must be a function');
  }
  if (options.keepAliveAfterHead !== undefined && typeof options.keepAliveAfterHead !== 'boolean') {
    throw new InvalidOptionError(
      'keepAliveAfterHead',
      '@regkit/core: createFetchTransport: `keepAliveAfterHead` must be a boolean',
    );
  }
  assertTimerOption('@regkit/core: createFetchTransport', options, 'headersTimeoutMs', 0);
  assertTimerOption('@regkit/core: createFetchTransport', options, 'bodyTimeoutMs', 0);
  if (custom === undefined && typeof globalThis.fetch !== 'function') {
    throw new InvalidOptionError(
      'fetch',
      '@regkit/core: createFetchTransport: this runtime has no global fetch; pass one as `fetch`',
    );
  }
  // Calling `globalThis.fetch` as a method keeps `this` bound, which browsers require.
  const doFetch: typeof fetch = custom ?? ((input, init) => globalThis.fetch(input, init));
  // A caller's own fetch may not be undici at all: it gets standard options only.
  const keepAlive = custom === undefined && options.keepAliveAfterHead !== false;
  const settings: FetchSettings = {
    doFetch,
    headDispatcher: keepAlive ? () => headKeepAliveDispatcher() : () => undefined,
    headersTimeoutMs: options.headersTimeoutMs ?? DEFAULT_TIMEOUT_MS,
    bodyTimeoutMs: options.bodyTimeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
  return {
    specificationVersion: 'v1',
    name: 'fetch',
    send: (request, sendOptions) => sendWithFetch(settings, request, sendOptions),
  };
}

interface FetchSettings {
  readonly doFetch: typeof fetch;
  readonly headDispatcher: () => FetchDispatcher | undefined;
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
}

async function sendWithFetch(
  settings: FetchSettings,
  request: TransportRequest,
  options: TransportSendOptions = {},
): Promise<TransportResponse> {
  const { signal } = options;
  signal?.throwIfAborted();
  parseRequestUrl(request, SOURCE);
  assertUnusedBody(request.body, SOURCE);
  const mapError = (error: unknown, during: 'request' | 'body') =>
    mapNetworkError(error, {
      source: SOURCE,
      request,
      signal,
      during,
      timeouts: { headers: settings.headersTimeoutMs, body: settings.bodyTimeoutMs },
    });

  const headersPhase = startPhaseTimeout(
    signal,
    settings.headersTimeoutMs,
    () => new TimeoutError('headers', settings.headersTimeoutMs),
  );
  const init: RequestInit & { duplex?: 'half'; dispatcher?: FetchDispatcher } = {
    method: request.method,
    headers: withIdentityEncoding(request.headers),
    redirect: 'manual',
  };
  if (headersPhase.signal) init.signal = headersPhase.signal;
  if (request.method === 'HEAD') {
    const dispatcher = settings.headDispatcher();
    if (dispatcher !== undefined) init.dispatcher = dispatcher;
  }
  if (request.body !== undefined) {
    init.body = request.body as BodyInit;
    if (!(request.body instanceof Uint8Array)) init.duplex = 'half';
  }

  let response: Response;
  try {
    response = await settings.doFetch(request.url, init);
  } catch (error) {
    throw mapError(headersPhase.signal?.aborted && !signal?.aborted ? headersPhase.signal.reason : error, 'request');
  } finally {
    headersPhase.clear();
  }

  if (response.type === 'opaqueredirect') {
    throw new NetworkError(
      `${SOURCE}: ${request.method} ${redactUrl(request.url)} answered with a redirect ` +
        'that this platform hides from scripts (an opaque redirect, as in browsers), so its status and Location ' +
        'cannot be read. Use a transport that returns 3xx responses (e.g. @regkit/transport-undici in Node.js), ' +
        'or a registry that serves this content without redirecting.',
      { code: 'ERR_OPAQUE_REDIRECT', retryable: false },
    );
  }

  return finishResponse(request, {
    status: response.status,
    headers: joinHeaders(response.headers),
    body: response.body,
    open: (body) =>
      bridgeWebStream(body, { mapError: (error) => mapError(error, 'body'), idleTimeoutMs: settings.bodyTimeoutMs, signal }),
    // Not awaited: some stream sources settle cancel() only when the peer reacts.
    discard: (body) => void body.cancel().catch(() => undefined),
  });
}
