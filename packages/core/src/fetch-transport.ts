import { NetworkError } from './errors/network-errors';
import { InvalidOptionError } from './errors/option-errors';
import type { FetchDispatcher } from './head-keep-alive';
import { redactUrl } from './redact';
import type { Transport, TransportRequest, TransportResponse, TransportSendOptions } from './transport';
import { DEFAULT_TRANSPORT_TIMEOUT_MS, exchange } from './transport-kit/exchange';
import { withIdentityEncoding } from './transport-kit/headers';
import { checkTransportOptions } from './transport-kit/options';

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
  checkTransportOptions(options, {
    source: '@regkit/core',
    factory: 'createFetchTransport()',
    known: KNOWN_OPTIONS,
    booleans: ['keepAliveAfterHead'],
    timers: { headersTimeoutMs: 0, bodyTimeoutMs: 0 },
  });
  const custom = options.fetch;
  if (custom !== undefined && typeof custom !== 'function') {
    throw new InvalidOptionError('fetch', '@regkit/core: createFetchTransport: `fetch` must be a function');
  }
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
    keepAliveAfterHead: keepAlive,
    headersTimeoutMs: options.headersTimeoutMs ?? DEFAULT_TRANSPORT_TIMEOUT_MS,
    bodyTimeoutMs: options.bodyTimeoutMs ?? DEFAULT_TRANSPORT_TIMEOUT_MS,
  };
  return {
    specificationVersion: 'v1',
    name: 'fetch',
    send: (request, sendOptions) => sendWithFetch(settings, request, sendOptions),
  };
}

interface FetchSettings {
  readonly doFetch: typeof fetch;
  readonly keepAliveAfterHead: boolean;
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
}

function sendWithFetch(
  settings: FetchSettings,
  request: TransportRequest,
  options?: TransportSendOptions,
): Promise<TransportResponse> {
  const { headersTimeoutMs, bodyTimeoutMs } = settings;
  return exchange(request, options, { source: SOURCE, headersTimeoutMs, bodyTimeoutMs }, async ({ signal, body }) => {
    const init: RequestInit & { duplex?: 'half'; dispatcher?: FetchDispatcher } = {
      method: request.method,
      // Node's fetch offers gzip/br on its own and decompresses silently, so a blob would no longer
      // match its content-length or digest: identity, unless the caller (core's pipeline) set one.
      headers: withIdentityEncoding(request.headers),
      redirect: 'manual',
    };
    if (signal) init.signal = signal;
    if (request.method === 'HEAD' && settings.keepAliveAfterHead) {
      const dispatcher = await nodeHeadDispatcher();
      if (dispatcher !== undefined) init.dispatcher = dispatcher;
    }
    if (body !== undefined) {
      init.body = body as BodyInit;
      if (!(body instanceof Uint8Array)) init.duplex = 'half';
    }
    const response = await settings.doFetch(request.url, init);
    if (response.type === 'opaqueredirect') {
      throw new NetworkError(
        `${SOURCE}: ${request.method} ${redactUrl(request.url)} answered with a redirect ` +
          'that this platform hides from scripts (an opaque redirect, as in browsers), so its status and Location ' +
          'cannot be read. Use a transport that returns 3xx responses (e.g. @regkit/transport-undici in Node.js), ' +
          'or a registry that serves this content without redirecting.',
        { code: 'ERR_OPAQUE_REDIRECT', retryable: false },
      );
    }
    return { status: response.status, headers: response.headers, body: response.body };
  });
}

/** Where Node.js keeps undici's global dispatcher (undici 5 to 7), which Node's `fetch` uses. */
const UNDICI_GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

/**
 * The dispatcher that keeps a HEAD's connection alive, on Node.js only. The
 * code that reaches into undici is loaded only when the runtime has
 * `process.getBuiltinModule` (Node.js) and undici's global dispatcher is
 * there; anywhere else (Deno, Bun, browsers, a Node.js whose fetch has not
 * run yet) the answer is `undefined` and `fetch` runs as standard.
 *
 * @param runtime - the globals to inspect; `globalThis` outside tests
 */
export async function nodeHeadDispatcher(runtime: object = globalThis): Promise<FetchDispatcher | undefined> {
  const node = (runtime as { process?: { getBuiltinModule?: unknown } }).process;
  const platform = (runtime as Record<symbol, unknown>)[UNDICI_GLOBAL_DISPATCHER];
  if (typeof node?.getBuiltinModule !== 'function' || platform === undefined || platform === null) return undefined;
  const { headKeepAliveDispatcher } = await import('./head-keep-alive');
  return headKeepAliveDispatcher(runtime);
}
