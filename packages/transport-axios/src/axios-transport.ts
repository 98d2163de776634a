import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import {
  type HeaderMap,
  InvalidOptionError,
  redactUrl,
  TimeoutError,
  type Transport,
  TransportError,
  type TransportRequest,
  type TransportResponse,
  type TransportSendOptions,
} from '@regkit/core';
import axios, { type AxiosInstance, type AxiosRequestConfig, type AxiosResponse } from 'axios';
import { bytesToWebStream, guardWebStream, nodeToWebStream, toBytes } from './body-stream';
import { ConnectTunnelAgent } from './connect-tunnel-agent';
import { ForwardProxyAgent } from './forward-proxy-agent';
import { type AxiosHttpProxy, type ResolvedProxy, resolveHttpProxy } from './http-proxy';
import { mapAxiosError } from './map-axios-error';

/** Options of {@link createAxiosTransport}. Every field is optional. */
export interface AxiosTransportOptions {
  /**
   * Your own axios instance (`axios.create(…)`, or `axios` itself). Its
   * interceptors, agents, default headers and adapter stay in effect; the
   * transport overrides per request only what the Transport contract needs
   * (see the README). The transport never closes it. Default: an instance of
   * its own with keep-alive agents, created on the first request.
   */
  readonly instance?: AxiosInstance;
  /**
   * An HTTP forward proxy for every request (not a registry mirror: that is
   * `Registry`'s `proxy` option). `http://` targets go through axios' own
   * `proxy` setting (absolute-form requests, which the proxy can read), on
   * keep-alive connections pooled per target origin; `https://` targets go
   * through a `CONNECT` tunnel, so TLS stays end to end. Either way the
   * instance's agent options (TLS settings included) are copied to the
   * transport's proxy agents.
   * Credentials in the URL become Basic `Proxy-Authorization`; `token` is sent
   * as the header value instead. Default: none. The transport's own
   * instance then connects directly, ignoring `HTTP_PROXY` and the like; your
   * own `instance` keeps axios' behaviour (its `proxy` setting, else
   * `HTTP_PROXY` / `HTTPS_PROXY` / `NO_PROXY`).
   */
  readonly httpProxy?: AxiosHttpProxy;
  /**
   * Time allowed until the response headers (axios' `timeout`), and the
   * longest silence between two chunks of the response body. `0` disables
   * both. Default: the instance's `timeout` when it sets one, else 300 000 ms.
   */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 300_000;
const KNOWN_OPTIONS = new Set(['instance', 'httpProxy', 'timeoutMs']);
const identity = <T>(data: T): T => data;

/**
 * Creates a {@link Transport} over axios (Node.js http adapter): bodies
 * streamed both ways and never decompressed, redirects never followed, every
 * status resolved, aborts honoured, axios errors mapped to `TransportError` /
 * `TimeoutError`. Use it to send registry traffic through an axios instance
 * you already configured (interceptors for logging or tracing, agents with
 * your CA, a proxy).
 *
 * @example
 * ```ts
 * import axios from 'axios';
 * import { Registry } from '@regkit/core';
 * import { createAxiosTransport } from '@regkit/transport-axios';
 *
 * const instance = axios.create();
 * instance.interceptors.request.use((config) => {
 *   console.log(config.method, config.url);
 *   return config;
 * });
 * const registry = new Registry({ domain: 'ghcr.io', transport: createAxiosTransport({ instance }) });
 * ```
 */
export function createAxiosTransport(options: AxiosTransportOptions = {}): Transport {
  validateOptions(options);
  const userInstance = options.instance;
  const proxy = options.httpProxy === undefined ? undefined : resolveHttpProxy(options.httpProxy);
  const timeoutMs = options.timeoutMs ?? instanceTimeout(userInstance) ?? DEFAULT_TIMEOUT_MS;

  let own: { instance: AxiosInstance; httpAgent: HttpAgent; httpsAgent: HttpsAgent } | undefined;
  let tunnel: ConnectTunnelAgent | undefined;
  let forward: ForwardProxyAgent | undefined;

  function instance(): AxiosInstance {
    if (userInstance) return userInstance;
    if (!own) {
      const httpAgent = new HttpAgent({ keepAlive: true });
      const httpsAgent = new HttpsAgent({ keepAlive: true });
      // `proxy: false`: like regkit's other transports, the environment's proxy variables are not read
      // unless asked for (`httpProxy`); a user's own instance keeps axios' behaviour.
      own = { instance: axios.create({ httpAgent, httpsAgent, adapter: 'http', proxy: false }), httpAgent, httpsAgent };
    }
    return own.instance;
  }

  function tunnelAgent(target: AxiosInstance, resolved: ResolvedProxy): ConnectTunnelAgent {
    if (!tunnel) {
      // The TLS settings of the instance's own https agent (ca, cert, rejectUnauthorized…) apply inside the tunnel.
      const base = (target.defaults.httpsAgent as { options?: object } | undefined)?.options ?? {};
      tunnel = new ConnectTunnelAgent(resolved, { ...base, keepAlive: true });
    }
    return tunnel;
  }

  function forwardAgent(target: AxiosInstance): ForwardProxyAgent {
    if (!forward) {
      const base = (target.defaults.httpAgent as { options?: object } | undefined)?.options ?? {};
      forward = new ForwardProxyAgent({ ...base, keepAlive: true });
    }
    return forward;
  }

  async function send(request: TransportRequest, sendOptions: TransportSendOptions = {}): Promise<TransportResponse> {
    const { signal } = sendOptions;
    signal?.throwIfAborted();
    const mapError = (error: unknown, during: 'request' | 'body') =>
      mapAxiosError(error, { method: request.method, url: request.url, signal, timeoutMs, during });

    const url = parseHttpUrl(request);
    const target = instance();
    const body = requestBody(request);
    const config: AxiosRequestConfig = {
      url: request.url,
      method: request.method,
      headers: requestHeaders(request, proxy, url),
      responseType: 'stream',
      decompress: false,
      maxRedirects: 0,
      validateStatus: () => true,
      // Registry blobs are large; core enforces its own caps where they matter.
      maxContentLength: -1,
      maxBodyLength: -1,
      // Bytes go out and come back exactly as they are (the defaults would JSON-encode or parse).
      transformRequest: [identity],
      transformResponse: [identity],
      timeout: timeoutMs,
      ...(body !== undefined && { data: body }),
      ...(signal && { signal }),
      ...(proxy &&
        (url.protocol === 'https:'
          ? { proxy: false as const, httpsAgent: tunnelAgent(target, proxy) }
          : {
              proxy: { protocol: 'http', host: proxy.hostname, port: proxy.port },
              httpAgent: forwardAgent(target),
            })),
    };

    let response: AxiosResponse<unknown>;
    try {
      response = await target.request(config);
    } catch (error) {
      if (body instanceof Readable) body.destroy();
      throw mapError(error, 'request');
    }

    const noBody = request.method === 'HEAD' || response.status === 204 || response.status === 304;
    const headers = responseHeaders(response.headers);
    if (noBody) {
      discard(response.data);
      return { status: response.status, headers, url: request.url, body: null };
    }
    return {
      status: response.status,
      headers,
      url: request.url,
      body: toWebBody(response.data, {
        mapError: (error) => mapError(error, 'body'),
        idleTimeoutMs: timeoutMs,
        timeoutError: () => new TimeoutError('body', timeoutMs),
        signal,
      }),
    };
  }

  return {
    specificationVersion: 'v1',
    name: 'axios',
    send,
    async close() {
      tunnel?.destroy();
      tunnel = undefined;
      forward?.destroy();
      forward = undefined;
      const current = own;
      own = undefined;
      current?.httpAgent.destroy();
      current?.httpsAgent.destroy();
    },
  };
}

function validateOptions(options: AxiosTransportOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', '[@regkit/transport-axios] options must be an object');
  }
  for (const name of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(name)) {
      const hint = name === 'proxy' ? ' (an HTTP forward proxy is `httpProxy`)' : '';
      throw new InvalidOptionError(name, `[@regkit/transport-axios] unknown option \`${name}\`${hint}`);
    }
  }
  const { instance, timeoutMs } = options;
  if (instance !== undefined) {
    const candidate = instance as unknown as { request?: unknown; defaults?: unknown; interceptors?: unknown };
    if (
      (typeof candidate !== 'function' && typeof candidate !== 'object') ||
      candidate === null ||
      typeof candidate.request !== 'function' ||
      typeof candidate.defaults !== 'object' ||
      candidate.defaults === null
    ) {
      throw new InvalidOptionError(
        'instance',
        '[@regkit/transport-axios] `instance` must be an axios instance (axios.create() or axios itself)',
      );
    }
  }
  if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || !Number.isSafeInteger(timeoutMs) || timeoutMs < 0)) {
    throw new InvalidOptionError(
      'timeoutMs',
      `[@regkit/transport-axios] \`timeoutMs\` must be an integer >= 0, got ${typeof timeoutMs === 'number' ? timeoutMs : typeof timeoutMs}`,
    );
  }
}

function instanceTimeout(instance: AxiosInstance | undefined): number | undefined {
  const timeout = instance?.defaults.timeout;
  return typeof timeout === 'number' && Number.isSafeInteger(timeout) && timeout > 0 ? timeout : undefined;
}

function parseHttpUrl(request: TransportRequest): URL {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch (error) {
    throw new TransportError(`[@regkit/transport-axios] ${request.method}: not an absolute URL`, { cause: error });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TransportError(
      `[@regkit/transport-axios] ${request.method} ${redactUrl(request.url)}: only http: and https: URLs are supported`,
    );
  }
  return url;
}

/**
 * The request's headers, plus what keeps axios from adding its own: no
 * `accept-encoding` means `identity` (axios would offer gzip, and a
 * compressed blob no longer matches its digest), and `false` for `accept`
 * and `content-type` suppresses axios' JSON-flavoured defaults.
 */
function requestHeaders(request: TransportRequest, proxy: ResolvedProxy | undefined, url: URL): Record<string, string | false> {
  const headers: Record<string, string | false> = { ...request.headers };
  if (!('accept-encoding' in headers)) headers['accept-encoding'] = 'identity';
  if (!('accept' in headers)) headers.accept = false;
  if (!('content-type' in headers)) headers['content-type'] = false;
  // Plain-HTTP targets are sent to the proxy itself, so it is the one reading this header.
  // (Through a CONNECT tunnel it would reach the registry: there it goes on the CONNECT only.)
  if (proxy?.authorization !== undefined && url.protocol === 'http:') {
    headers['proxy-authorization'] = proxy.authorization;
  }
  return headers;
}

function requestBody(request: TransportRequest): Buffer | Readable | undefined {
  const { body } = request;
  if (body === undefined) return undefined;
  // A Buffer view, not the Uint8Array: axios' default transform would send a view's whole underlying ArrayBuffer.
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  // Node's stream/web types differ nominally from the DOM lib's; at run time they are the same class.
  return Readable.fromWeb(body as unknown as NodeReadableStream<Uint8Array>);
}

/** axios gives an `AxiosHeaders` (or, from a custom adapter, a plain object); arrays are repeats. */
function responseHeaders(headers: unknown): HeaderMap {
  const source =
    typeof (headers as { toJSON?: unknown } | null)?.toJSON === 'function'
      ? ((headers as { toJSON(): unknown }).toJSON() as Record<string, unknown>)
      : ((headers ?? {}) as Record<string, unknown>);
  const map: HeaderMap = {};
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined || value === null || value === false) continue;
    const key = name.toLowerCase();
    const text = Array.isArray(value) ? value.map(String).join(', ') : String(value);
    const previous = map[key];
    map[key] = previous === undefined ? text : `${previous}, ${text}`;
  }
  return map;
}

function toWebBody(data: unknown, options: Parameters<typeof nodeToWebStream>[1]): ReadableStream<Uint8Array> | null {
  if (data === undefined || data === null) return null;
  if (data instanceof Readable) return nodeToWebStream(data, options);
  if (data instanceof ReadableStream) return guardWebStream(data as ReadableStream<Uint8Array>, options.mapError);
  if (typeof data === 'string' || data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
    return bytesToWebStream(toBytes(data as Uint8Array | ArrayBuffer | string));
  }
  throw new TransportError(
    '[@regkit/transport-axios] the axios adapter returned a body that is neither a stream nor bytes; ' +
      "the transport needs an adapter that honours responseType: 'stream' (axios' http adapter does)",
  );
}

function discard(data: unknown): void {
  if (data instanceof Readable) data.resume();
  else if (data instanceof ReadableStream) data.cancel().catch(() => undefined);
}
