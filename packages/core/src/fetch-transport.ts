import { InvalidOptionError, TimeoutError, type TimeoutPhase, TransportError } from './errors';
import { type FetchDispatcher, headKeepAliveDispatcher } from './head-keep-alive';
import { redactUrl } from './redact';
import type { HeaderMap, Transport, TransportRequest, TransportResponse, TransportSendOptions } from './transport';

/** Options of {@link createFetchTransport}. */
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
   * undici 5 to 7; elsewhere `fetch` behaves as standard. Set `false` for a
   * server known to send a body with its `HEAD` answers, which would corrupt
   * the next response on a reused connection.
   */
  readonly keepAliveAfterHead?: boolean;
}

// Node's global undici dispatcher defaults, used when an undici timeout error
// does not say which limit it hit.
const PLATFORM_TIMEOUT_MS: Record<Exclude<TimeoutPhase, 'request'>, number> = {
  connect: 10_000,
  headers: 300_000,
  body: 300_000,
};

const UNDICI_TIMEOUT_CODES: Record<string, Exclude<TimeoutPhase, 'request'>> = {
  UND_ERR_CONNECT_TIMEOUT: 'connect',
  UND_ERR_HEADERS_TIMEOUT: 'headers',
  UND_ERR_BODY_TIMEOUT: 'body',
};

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
 * - rejects with `signal.reason` on abort, and wraps network failures in
 *   `TransportError` (undici timeouts in `TimeoutError`) with the original
 *   error as `cause`, both for `send` and for errors while reading the body;
 * - on Node.js, keeps connections alive after `HEAD`, which Node's `fetch`
 *   would close (see {@link FetchTransportOptions.keepAliveAfterHead}).
 *
 * @example
 * ```ts
 * import { createFetchTransport, Registry } from '@regkit/core';
 * const registry = new Registry({ domain: 'ghcr.io', transport: createFetchTransport() });
 * ```
 */
export function createFetchTransport(options: FetchTransportOptions = {}): Transport {
  const custom = options.fetch;
  if (custom !== undefined && typeof custom !== 'function') {
    throw new InvalidOptionError('fetch', '[@regkit/core] createFetchTransport: `fetch` must be a function');
  }
  if (options.keepAliveAfterHead !== undefined && typeof options.keepAliveAfterHead !== 'boolean') {
    throw new InvalidOptionError(
      'keepAliveAfterHead',
      '[@regkit/core] createFetchTransport: `keepAliveAfterHead` must be a boolean',
    );
  }
  if (custom === undefined && typeof globalThis.fetch !== 'function') {
    throw new InvalidOptionError(
      'fetch',
      '[@regkit/core] createFetchTransport: this runtime has no global fetch; pass one as `fetch`',
    );
  }
  // Calling `globalThis.fetch` as a method keeps `this` bound, which browsers require.
  const doFetch: typeof fetch = custom ?? ((input, init) => globalThis.fetch(input, init));
  // A caller's own fetch may not be undici at all: it gets standard options only.
  const headDispatcher = custom === undefined && options.keepAliveAfterHead !== false ? headKeepAliveDispatcher : noDispatcher;

  return {
    specificationVersion: 'v1',
    name: 'fetch',
    send: (request, sendOptions) => sendWithFetch(doFetch, headDispatcher, request, sendOptions),
  };
}

const noDispatcher = (): undefined => undefined;

async function sendWithFetch(
  doFetch: typeof fetch,
  headDispatcher: () => FetchDispatcher | undefined,
  request: TransportRequest,
  options: TransportSendOptions = {},
): Promise<TransportResponse> {
  const { signal } = options;
  signal?.throwIfAborted();

  const init: RequestInit & { duplex?: 'half'; dispatcher?: FetchDispatcher } = {
    method: request.method,
    headers: withIdentityEncoding(request.headers),
    redirect: 'manual',
  };
  if (signal) init.signal = signal;
  if (request.method === 'HEAD') {
    const dispatcher = headDispatcher();
    if (dispatcher !== undefined) init.dispatcher = dispatcher;
  }
  if (request.body !== undefined) {
    init.body = request.body as BodyInit;
    if (!(request.body instanceof Uint8Array)) init.duplex = 'half';
  }

  let response: Response;
  try {
    response = await doFetch(request.url, init);
  } catch (error) {
    throw mapFetchError(error, request, signal, 'request');
  }

  if (response.type === 'opaqueredirect') {
    throw new TransportError(
      `[@regkit/core] fetch transport: ${request.method} ${redactUrl(request.url)} answered with a redirect ` +
        'that this platform hides from scripts (an opaque redirect, as in browsers), so its status and Location ' +
        'cannot be read. Use a transport that returns 3xx responses (e.g. @regkit/transport-undici in Node.js), ' +
        'or a registry that serves this content without redirecting.',
    );
  }

  const noBody = request.method === 'HEAD' || response.status === 204 || response.status === 304;
  // Not awaited: some stream sources settle cancel() only when the peer reacts.
  if (noBody && response.body) response.body.cancel().catch(() => undefined);

  return {
    status: response.status,
    headers: collectHeaders(response.headers),
    url: request.url,
    body: noBody || !response.body ? null : guardBody(response.body, (error) => mapFetchError(error, request, signal, 'body')),
  };
}

function withIdentityEncoding(headers: HeaderMap): HeaderMap {
  return 'accept-encoding' in headers ? headers : { ...headers, 'accept-encoding': 'identity' };
}

/**
 * `Headers` already joins repeated fields with `", "` and lower-cases names,
 * except `set-cookie`, which iteration yields once per value.
 */
function collectHeaders(headers: Headers): HeaderMap {
  const map: HeaderMap = {};
  headers.forEach((value, name) => {
    const key = name.toLowerCase();
    const previous = map[key];
    map[key] = previous === undefined ? value : `${previous}, ${value}`;
  });
  return map;
}

/**
 * Re-exposes a body stream chunk by chunk (no read-ahead: `highWaterMark` 0)
 * so that its errors can be mapped to regkit errors.
 */
function guardBody(body: ReadableStream<Uint8Array>, mapError: (error: unknown) => unknown): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (error) {
          controller.error(mapError(error));
          return;
        }
        if (chunk.done) controller.close();
        else controller.enqueue(chunk.value);
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

function mapFetchError(
  error: unknown,
  request: TransportRequest,
  signal: AbortSignal | undefined,
  during: 'request' | 'body',
): unknown {
  if (signal?.aborted) return signal.reason;
  if (TransportError.isInstance(error)) return error;

  const code = errorCode(error);
  const phase = code === undefined ? undefined : UNDICI_TIMEOUT_CODES[code];
  if (phase !== undefined) {
    return new TimeoutError(phase, timeoutMsOf(error) ?? PLATFORM_TIMEOUT_MS[phase], { cause: error });
  }
  const what = during === 'body' ? 'reading the response body of ' : '';
  return new TransportError(
    `[@regkit/core] fetch transport: ${what}${request.method} ${redactUrl(request.url)} failed: ${describeError(error)}`,
    { cause: error },
  );
}

/** Node's fetch reports `TypeError('fetch failed')` with the socket error as `cause`. */
function errorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function timeoutMsOf(error: unknown): number | undefined {
  const match = /timeout: (\d+)\s*ms/i.exec(describeError(error));
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let current = error, depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
    if (current instanceof Error || (typeof current === 'object' && 'message' in current)) {
      const { message, code } = current as { message?: unknown; code?: unknown };
      const text = `${typeof message === 'string' ? message : ''}${typeof code === 'string' && !String(message).includes(code) ? ` (${code})` : ''}`;
      if (text) parts.push(text);
      current = (current as { cause?: unknown }).cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.join(': ') || 'unknown error';
}
