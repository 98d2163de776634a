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
  /**
   * Whether this `fetch` sends a stream request body as it reads it, in
   * bounded memory, so that core may upload a blob of any size in one
   * request (see `Transport.streamsRequestBodies`). Default: `true` for the
   * global `fetch` of Node.js, Deno and Bun, which do; `false` in browsers
   * (Chromium streams request bodies over HTTP/2 only, others not at all) and
   * for a `fetch` given here, whose behaviour the transport cannot know. With
   * `false`, core uploads in chunks of 8 MiB, each sent as bytes.
   */
  readonly streamsRequestBodies?: boolean;
}

const SOURCE = '@regkit/core fetch transport';
const KNOWN_OPTIONS = ['fetch', 'keepAliveAfterHead', 'headersTimeoutMs', 'bodyTimeoutMs', 'streamsRequestBodies'];

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
 *   browsers other than Chromium over HTTP/2 cannot upload a stream at all),
 *   with `redirect: 'error'` and `window: null`: with any other redirect
 *   mode the Fetch standard clones the request, and Node's `fetch` then keeps
 *   every chunk of the unread copy until the request ends (a 256 MiB upload
 *   would hold 256 MiB). A streamed body cannot be replayed across a
 *   redirect anyway; a 3xx answer to one becomes a non-retryable
 *   `NetworkError` with code `ERR_STREAM_REDIRECT`;
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
    booleans: ['keepAliveAfterHead', 'streamsRequestBodies'],
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
  const streams = options.streamsRequestBodies ?? (custom === undefined && fetchStreamsRequestBodies());
  return {
    specificationVersion: 'v1',
    name: 'fetch',
    ...(streams && { streamsRequestBodies: true }),
    send: (request, sendOptions) => sendWithFetch(settings, request, sendOptions),
  };
}

/**
 * Whether the global `fetch` of this runtime streams request bodies with
 * backpressure: Node.js (undici), Deno and Bun do over HTTP/1.1; browsers
 * do not (Chromium only over HTTP/2).
 *
 * @param runtime - the globals to inspect; `globalThis` outside tests
 */
export function fetchStreamsRequestBodies(runtime: object = globalThis): boolean {
  const globals = runtime as { Deno?: unknown; Bun?: unknown; process?: { versions?: { node?: unknown } } };
  return globals.Deno !== undefined || globals.Bun !== undefined || typeof globals.process?.versions?.node === 'string';
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
    const init: RequestInit & { duplex?: 'half'; dispatcher?: FetchDispatcher; window?: null } = {
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
    const streamed = body !== undefined && !(body instanceof Uint8Array);
    if (body !== undefined) init.body = body as BodyInit;
    if (streamed) {
      init.duplex = 'half';
      // Any other mode makes fetch clone the request, whose unread copy holds every chunk sent.
      init.redirect = 'error';
      init.window = null;
    }
    let response: Response;
    try {
      response = await settings.doFetch(request.url, init);
    } catch (error) {
      if (streamed && !signal?.aborted && mentionsRedirect(error)) {
        throw new NetworkError(
          `${SOURCE}: ${request.method} ${redactUrl(request.url)} was answered with a redirect, ` +
            'which a streamed request body cannot follow (it cannot be sent twice)',
          { code: 'ERR_STREAM_REDIRECT', retryable: false },
        );
      }
      throw error;
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
    return { status: response.status, headers: response.headers, body: response.body };
  });
}

/** Whether a failed fetch says it met a redirect (Node: cause "unexpected redirect"; Deno, Bun: in the message). */
function mentionsRedirect(error: unknown): boolean {
  for (let current = error, depth = 0; depth < 3 && current instanceof Error; depth++) {
    if (/\bredirect/i.test(current.message)) return true;
    current = current.cause;
  }
  return false;
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
