import { InvalidOptionError } from '@regkit/core';
import type { Transport } from '@regkit/core/spec';
import { checkTransportOptions, exchange, requestBodyChunks, type TlsOptions } from '@regkit/core/transport-kit';
import { Agent, type Dispatcher } from 'undici';
import { createProxyDispatcher, type UndiciHttpProxy, validateProxyOptions } from './proxy';

/** Options of {@link createUndiciTransport}. Every field is optional. */
export interface UndiciTransportOptions {
  /**
   * Your own undici `Dispatcher` (`Agent`, `ProxyAgent`, `MockAgent`…), never
   * closed by the transport; a redirect interceptor on it is disabled per
   * request. Excludes the pool options (`connectTimeoutMs`, `connections`,
   * `keepAliveTimeoutMs`, `tls`): set those on your dispatcher.
   */
  readonly dispatcher?: Dispatcher;
  /** Time allowed to open a connection (TCP + TLS), enforced by undici. Default 10 000 ms. */
  readonly connectTimeoutMs?: number;
  /**
   * Time allowed from sending the request to receiving the response headers.
   * Default 300 000 ms; `0` disables it. Enforced by the transport's own
   * timer (undici's checks only about once a second), so sub-second values
   * hold; it works with your own `dispatcher` too.
   */
  readonly headersTimeoutMs?: number;
  /**
   * Longest silence allowed between two chunks of the response body while it
   * is being read (not a limit on the whole download). Default 300 000 ms;
   * `0` disables it. Enforced on the body stream by the transport, to the
   * millisecond; it works with your own `dispatcher` too.
   */
  readonly bodyTimeoutMs?: number;
  /** Most connections per origin (default unlimited). */
  readonly connections?: number;
  /** How long an idle keep-alive connection stays open (default 4 000 ms). */
  readonly keepAliveTimeoutMs?: number;
  /** {@link TlsOptions} of the transport's own pool, checked at creation; not with `dispatcher` (set them on yours). */
  readonly tls?: TlsOptions;
  /**
   * An HTTP forward proxy (not a registry mirror), through undici's
   * `ProxyAgent`: every request is tunnelled with `CONNECT`, so TLS stays end
   * to end. Cannot be combined with `dispatcher` or `useEnvProxy`.
   */
  readonly httpProxy?: UndiciHttpProxy;
  /**
   * Route requests as `HTTP_PROXY` / `HTTPS_PROXY` / `NO_PROXY` (or their
   * lower-case forms) say, through undici's `EnvHttpProxyAgent`. Read once,
   * when the first request is sent; an empty variable counts as unset.
   * Default false: the environment is ignored.
   */
  readonly useEnvProxy?: boolean;
}

const SOURCE = '@regkit/transport-undici';
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const POOL_OPTIONS = ['connectTimeoutMs', 'connections', 'keepAliveTimeoutMs', 'tls'] as const;
const KNOWN_OPTIONS = [...POOL_OPTIONS, 'dispatcher', 'headersTimeoutMs', 'bodyTimeoutMs', 'httpProxy', 'useEnvProxy'];
const OPTIONS_POLICY = {
  source: SOURCE,
  factory: 'createUndiciTransport()',
  known: KNOWN_OPTIONS,
  integers: { connections: 1 },
  timers: { connectTimeoutMs: 1, headersTimeoutMs: 0, bodyTimeoutMs: 0, keepAliveTimeoutMs: 1 },
};

/** A {@link Transport} that owns connections and can let them go. */
export interface UndiciTransport extends Transport {
  /** Closes its own undici `Agent` (connections a caller passed in stay open). Call it when the transport is no longer needed. */
  close(): Promise<void>;
}

/**
 * Creates a {@link Transport} over undici's `request()`: a keep-alive pool
 * (its own `Agent`, created on the first request, unless you pass a
 * `dispatcher`), bodies streamed both ways and never decompressed, redirects
 * never followed, connect/headers/body stall timeouts as `TimeoutError`.
 *
 * @example
 * ```ts
 * import { Registry } from '@regkit/core';
 * import { createUndiciTransport } from '@regkit/transport-undici';
 *
 * const transport = createUndiciTransport({ headersTimeoutMs: 30_000 });
 * const registry = new Registry({ domain: 'ghcr.io', transport });
 * // …
 * await transport.close();
 * ```
 */
export function createUndiciTransport(options: UndiciTransportOptions = {}): UndiciTransport {
  const { tls } = checkTransportOptions(options, OPTIONS_POLICY);
  validateOptions(options);
  const userDispatcher = options.dispatcher;
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  let ownAgent: Dispatcher | undefined;

  function dispatcher(): Dispatcher {
    if (userDispatcher) return userDispatcher;
    if (ownAgent) return ownAgent;
    const agentOptions: Agent.Options = {
      connectTimeout: connectTimeoutMs,
      ...(options.connections !== undefined && { connections: options.connections }),
      ...(options.keepAliveTimeoutMs !== undefined && { keepAliveTimeout: options.keepAliveTimeoutMs }),
      // `connect` for direct connections, `requestTls` for those tunnelled through a proxy.
      ...(tls !== undefined && { connect: { ...tls }, requestTls: { ...tls } }),
    };
    ownAgent = createProxyDispatcher(options, agentOptions) ?? new Agent(agentOptions);
    return ownAgent;
  }

  const exchangeOptions = {
    source: SOURCE,
    headersTimeoutMs: options.headersTimeoutMs,
    bodyTimeoutMs: options.bodyTimeoutMs,
    errors: { timeouts: { connect: connectTimeoutMs } },
    // Drained, so the connection returns to the pool (undici's dump gives up on a body too large to be worth it).
    discard: (body: unknown) => void (body as Dispatcher.ResponseData['body']).dump().catch(() => undefined),
  };
  const send: Transport['send'] = (request, sendOptions) =>
    exchange(request, sendOptions, exchangeOptions, async ({ url, signal, body }) => {
      const response = await dispatcher().request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: request.method,
        headers: request.headers,
        body: body instanceof Uint8Array || body === undefined ? (body ?? null) : requestBodyChunks(body),
        signal: signal ?? null,
        // undici's own timers are coarse (about 1 s); the kit times both phases to the millisecond.
        headersTimeout: 0,
        bodyTimeout: 0,
        // Disables a redirect interceptor on a user's dispatcher; core follows redirects itself.
        maxRedirections: 0,
        // undici closes the connection after every HEAD unless told otherwise (a guard against
        // servers that send a body anyway). Registries answer HEAD by the spec, and digest
        // resolution is all HEADs: without this, every one pays a new TCP connection.
        ...(request.method === 'HEAD' && { reset: false }),
      } as Dispatcher.RequestOptions);
      return { status: response.statusCode, headers: response.headers, body: response.body };
    });

  return {
    specificationVersion: 'v1',
    name: 'undici',
    // undici writes a stream body to the socket as it is read.
    streamsRequestBodies: true,
    send,
    async close() {
      const agent = ownAgent;
      ownAgent = undefined;
      await agent?.close();
    },
  };
}

function validateOptions(options: UndiciTransportOptions): void {
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
        `${SOURCE}: \`dispatcher\` must be an undici Dispatcher (with request, close and destroy)`,
      );
    }
    const clash = POOL_OPTIONS.find((name) => options[name] !== undefined);
    if (clash) {
      throw new InvalidOptionError(
        clash,
        `${SOURCE}: \`${clash}\` configures the transport's own connection pool and has no effect ` +
          'with your own `dispatcher`; set it on the dispatcher instead',
      );
    }
  }
  validateProxyOptions(options);
}
