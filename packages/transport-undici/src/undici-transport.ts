import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import {
  type HeaderMap,
  InvalidOptionError,
  redactUrl,
  type Transport,
  TransportError,
  type TransportRequest,
  type TransportResponse,
  type TransportSendOptions,
} from '@regkit/core';
import { Agent, type Dispatcher } from 'undici';
import { toWebStream } from './body-stream';
import { mapUndiciError, type PhaseTimeouts } from './map-undici-error';
import { createProxyDispatcher, type UndiciHttpProxy, validateProxyOptions } from './proxy';

/** Options of {@link createUndiciTransport}. Every field is optional. */
export interface UndiciTransportOptions {
  /**
   * Your own undici `Dispatcher` (an `Agent`, `Pool`, `ProxyAgent`,
   * `MockAgent`…). The transport never closes it; `close()` is then a no-op.
   * Lets you pick the undici version, a proxy or TLS settings. A redirect
   * interceptor on it is disabled per request (`maxRedirections: 0`).
   * Cannot be combined with `connectTimeoutMs`, `connections` or
   * `keepAliveTimeoutMs`, which configure the transport's own pool.
   */
  readonly dispatcher?: Dispatcher;
  /** Time allowed to open a connection (TCP + TLS). Default 10 000 ms. */
  readonly connectTimeoutMs?: number;
  /**
   * Time allowed from sending the request to receiving the response headers.
   * Default 300 000 ms; `0` disables it. Applied per request, so it also
   * works with your own `dispatcher`.
   */
  readonly headersTimeoutMs?: number;
  /**
   * Longest silence allowed between two chunks of the response body (not a
   * limit on the whole download). Default 300 000 ms; `0` disables it.
   * Applied per request, so it also works with your own `dispatcher`.
   */
  readonly bodyTimeoutMs?: number;
  /** Most connections per origin. Default: unlimited. */
  readonly connections?: number;
  /** How long an idle keep-alive connection stays open. Default 4 000 ms. */
  readonly keepAliveTimeoutMs?: number;
  /**
   * An HTTP forward proxy for every request (not a registry mirror: that is
   * `Registry`'s `proxy` option), through undici's `ProxyAgent`. Every
   * request is tunnelled with `CONNECT`, so TLS stays end to end and the
   * proxy sees only `host:port`. Credentials in the URL become Basic
   * `Proxy-Authorization`; `token` is sent as the header value instead.
   * Cannot be combined with `dispatcher` or `useEnvProxy`.
   */
  readonly httpProxy?: UndiciHttpProxy;
  /**
   * Route requests as `HTTP_PROXY` / `HTTPS_PROXY` / `NO_PROXY` (or their
   * lower-case forms) say, through undici's `EnvHttpProxyAgent`. Read once,
   * when the first request is sent. Default false: the environment is ignored.
   */
  readonly useEnvProxy?: boolean;
}

// undici's own defaults, stated here so TimeoutError can report them.
const DEFAULT_TIMEOUTS: PhaseTimeouts = { connect: 10_000, headers: 300_000, body: 300_000 };

const POOL_OPTIONS = ['connectTimeoutMs', 'connections', 'keepAliveTimeoutMs'] as const;

/**
 * Creates a {@link Transport} over undici's `request()`: a keep-alive
 * connection pool (its own `Agent`, created on the first request, unless you
 * pass a `dispatcher`), bodies streamed both ways, redirects never followed,
 * and undici's connect, headers and body timeouts surfaced as `TimeoutError`.
 *
 * Unlike `fetch`, undici never decompresses and never adds
 * `accept-encoding`, so bodies arrive exactly as the registry sent them.
 *
 * @example
 * ```ts
 * import { Registry } from '@regkit/core';
 * import { createUndiciTransport } from '@regkit/transport-undici';
 *
 * const transport = createUndiciTransport({ headersTimeoutMs: 30_000 });
 * const registry = new Registry({ domain: 'ghcr.io', transport });
 * // …
 * await transport.close?.();
 * ```
 */
export function createUndiciTransport(options: UndiciTransportOptions = {}): Transport {
  validateOptions(options);
  const userDispatcher = options.dispatcher;
  let ownAgent: Dispatcher | undefined;

  const perRequestTimeouts: { headersTimeout?: number; bodyTimeout?: number } = {};
  if (options.headersTimeoutMs !== undefined) perRequestTimeouts.headersTimeout = options.headersTimeoutMs;
  if (options.bodyTimeoutMs !== undefined) perRequestTimeouts.bodyTimeout = options.bodyTimeoutMs;

  const timeouts: PhaseTimeouts = {
    connect: options.connectTimeoutMs ?? DEFAULT_TIMEOUTS.connect,
    headers: options.headersTimeoutMs ?? DEFAULT_TIMEOUTS.headers,
    body: options.bodyTimeoutMs ?? DEFAULT_TIMEOUTS.body,
  };

  function dispatcher(): Dispatcher {
    if (userDispatcher) return userDispatcher;
    if (ownAgent) return ownAgent;
    const agentOptions = {
      connectTimeout: timeouts.connect,
      headersTimeout: timeouts.headers,
      bodyTimeout: timeouts.body,
      ...(options.connections !== undefined && { connections: options.connections }),
      ...(options.keepAliveTimeoutMs !== undefined && { keepAliveTimeout: options.keepAliveTimeoutMs }),
    };
    ownAgent = createProxyDispatcher(options, agentOptions) ?? new Agent(agentOptions);
    return ownAgent;
  }

  async function send(request: TransportRequest, sendOptions: TransportSendOptions = {}): Promise<TransportResponse> {
    const { signal } = sendOptions;
    signal?.throwIfAborted();
    const mapError = (error: unknown, during: 'request' | 'body') =>
      mapUndiciError(error, { method: request.method, url: request.url, signal, timeouts, during });

    const url = parseHttpUrl(request);
    let response: Dispatcher.ResponseData;
    try {
      response = await dispatcher().request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: request.method,
        headers: request.headers,
        body: requestBody(request),
        signal: signal ?? null,
        ...perRequestTimeouts,
        // Disables a redirect interceptor on a user's dispatcher; core follows redirects itself.
        maxRedirections: 0,
        // undici closes the connection after every HEAD unless told otherwise (a guard against
        // servers that send a body anyway). Registries answer HEAD by the spec, and digest
        // resolution is all HEADs: without this, every one pays a new TCP connection.
        ...(request.method === 'HEAD' && { reset: false }),
      } as Dispatcher.RequestOptions);
    } catch (error) {
      throw mapError(error, 'request');
    }

    const noBody = request.method === 'HEAD' || response.statusCode === 204 || response.statusCode === 304;
    if (noBody) {
      // Drain (HEAD bodies are empty anyway) so the connection returns to the pool.
      response.body.dump().catch(() => undefined);
    }
    return {
      status: response.statusCode,
      headers: joinHeaders(response.headers),
      url: request.url,
      body: noBody ? null : toWebStream(response.body, (error) => mapError(error, 'body')),
    };
  }

  return {
    specificationVersion: 'v1',
    name: 'undici',
    send,
    async close() {
      const agent = ownAgent;
      ownAgent = undefined;
      await agent?.close();
    },
  };
}

function validateOptions(options: UndiciTransportOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', '[@regkit/transport-undici] options must be an object');
  }
  const { dispatcher } = options;
  if (dispatcher !== undefined) {
    const candidate = dispatcher as Partial<Record<'request' | 'close' | 'destroy', unknown>>;
    // `request` alone would let a partial mock through that breaks on close.
    if (
      typeof candidate !== 'object' ||
      candidate === null ||
      typeof candidate.request !== 'function' ||
      typeof candidate.close !== 'function' ||
      typeof candidate.destroy !== 'function'
    ) {
      throw new InvalidOptionError(
        'dispatcher',
        '[@regkit/transport-undici] `dispatcher` must be an undici Dispatcher (with request, close and destroy)',
      );
    }
    const clash = POOL_OPTIONS.find((name) => options[name] !== undefined);
    if (clash) {
      throw new InvalidOptionError(
        clash,
        `[@regkit/transport-undici] \`${clash}\` configures the transport's own connection pool and has no effect ` +
          'with your own `dispatcher`; set it on the dispatcher instead',
      );
    }
  }
  validateProxyOptions(options);
  checkNumber(options, 'connectTimeoutMs', { min: 1 });
  checkNumber(options, 'headersTimeoutMs', { min: 0 });
  checkNumber(options, 'bodyTimeoutMs', { min: 0 });
  checkNumber(options, 'connections', { min: 1 });
  checkNumber(options, 'keepAliveTimeoutMs', { min: 1 });
}

function checkNumber(
  options: UndiciTransportOptions,
  name: 'connectTimeoutMs' | 'headersTimeoutMs' | 'bodyTimeoutMs' | 'connections' | 'keepAliveTimeoutMs',
  { min }: { min: number },
): void {
  const value: unknown = options[name];
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new InvalidOptionError(
      name,
      `[@regkit/transport-undici] \`${name}\` must be an integer >= ${min}, got ${typeof value === 'number' ? value : typeof value}`,
    );
  }
}

function parseHttpUrl(request: TransportRequest): URL {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch (error) {
    throw new TransportError(`[@regkit/transport-undici] ${request.method}: not an absolute URL`, { cause: error });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TransportError(
      `[@regkit/transport-undici] ${request.method} ${redactUrl(request.url)}: only http: and https: URLs are supported`,
    );
  }
  return url;
}

function requestBody(request: TransportRequest): Uint8Array | Readable | null {
  const { body } = request;
  if (body === undefined) return null;
  if (body instanceof Uint8Array) return body;
  // Node's stream/web types differ nominally from the DOM lib's; at run time they are the same class.
  return Readable.fromWeb(body as unknown as NodeReadableStream<Uint8Array>);
}

/** undici lower-cases names already and gives repeated headers as arrays. */
function joinHeaders(headers: Record<string, string | string[] | undefined>): HeaderMap {
  const map: HeaderMap = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    map[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return map;
}
