import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Readable } from 'node:stream';
import { InvalidOptionError } from '@regkit/core';
import type { RequestBody, Transport, TransportRequest } from '@regkit/core/spec';
import { checkTransportOptions, exchange, requestBodyChunks, type TlsOptions } from '@regkit/core/transport-kit';
import axios, { type AxiosInstance, type AxiosRequestConfig, type AxiosResponse } from 'axios';
import { type AxiosHttpProxy, createProxyAgents, type ProxyAgents, resolveAxiosProxy } from './proxy-agents';

/** Options of {@link createAxiosTransport}. Every field is optional. */
export interface AxiosTransportOptions {
  /**
   * Your own axios instance; its interceptors, agents, default headers and
   * adapter stay in effect (the transport overrides per request only what the
   * contract needs) and it is never closed. Default: one of the transport's
   * own, with keep-alive agents, created on the first request.
   */
  readonly instance?: AxiosInstance;
  /**
   * An HTTP forward proxy (not a registry mirror), through `http-proxy-agent`
   * for `http://` targets and a `CONNECT` tunnel (`https-proxy-agent`) for
   * `https://` ones. Without it the transport's own instance ignores
   * `HTTP_PROXY` and the like; your own `instance` keeps axios' rules.
   */
  readonly httpProxy?: AxiosHttpProxy;
  /**
   * Time allowed until the response headers (axios' `timeout`), and the
   * longest silence between two chunks of the response body. `0` disables
   * both. Default: the instance's `timeout` when it sets one, else 300 000 ms.
   */
  readonly timeoutMs?: number;
  /** {@link TlsOptions} of the transport's own agents; with your own `instance`, set them on its `httpsAgent` instead. */
  readonly tls?: TlsOptions;
}

const SOURCE = '@regkit/transport-axios';
const KNOWN_OPTIONS = ['instance', 'httpProxy', 'timeoutMs', 'tls'];
const OPTIONS_POLICY = {
  source: SOURCE,
  factory: 'createAxiosTransport()',
  known: KNOWN_OPTIONS,
  timers: { timeoutMs: 0 },
};
const identity = <T>(data: T): T => data;

/** A {@link Transport} that owns connections and can let them go. */
export interface AxiosTransport extends Transport {
  /** Closes the agents it created (connections a caller passed in stay open). Call it when the transport is no longer needed. */
  close(): Promise<void>;
}

/**
 * Creates a {@link Transport} over axios (Node.js http adapter): bodies
 * streamed both ways and never decompressed, redirects never followed, every
 * status resolved, aborts honoured, failures as `NetworkError` / `TimeoutError`.
 * Use it to send registry traffic through an axios instance you already
 * configured (interceptors, agents with your CA, a proxy).
 *
 * @example
 * ```ts
 * import axios from 'axios';
 * import { Registry } from '@regkit/core';
 * import { createAxiosTransport } from '@regkit/transport-axios';
 *
 * const transport = createAxiosTransport({ instance: axios.create({ timeout: 30_000 }) });
 * const registry = new Registry({ domain: 'ghcr.io', transport });
 * ```
 */
export function createAxiosTransport(options: AxiosTransportOptions = {}): AxiosTransport {
  const { tls } = checkTransportOptions(options, OPTIONS_POLICY);
  validateOptions(options);
  const userInstance = options.instance;
  const proxy = options.httpProxy === undefined ? undefined : resolveAxiosProxy(options.httpProxy);
  const timeoutMs = options.timeoutMs ?? instanceTimeout(userInstance);
  let own: { instance: AxiosInstance; agents: HttpAgent[] } | undefined;
  let proxyAgents: ProxyAgents | undefined;
  const exchangeOptions = {
    source: SOURCE,
    // The kit's timer, not axios' `timeout` (a socket idle timer): it holds to the millisecond and says what it waited.
    headersTimeoutMs: timeoutMs,
    bodyTimeoutMs: timeoutMs,
    errors: {
      // A user's interceptor or custom adapter may still time out the axios way.
      timeoutCodes: { ECONNABORTED: 'during', ETIMEDOUT: 'during' } as const,
      // With the signal not aborted, a cancel came from the instance itself.
      explain: { ERR_CANCELED: 'cancelled by the axios instance (an interceptor or cancel token)' },
    },
  };

  function instance(): AxiosInstance {
    if (userInstance) return userInstance;
    if (!own) {
      const httpAgent = new HttpAgent({ keepAlive: true });
      const httpsAgent = new HttpsAgent({ keepAlive: true, ...tls });
      // `proxy: false`: like regkit's other transports, the environment's proxy variables are not read
      // unless asked for (`httpProxy`); a user's own instance keeps axios' behaviour.
      const created = axios.create({ httpAgent, httpsAgent, adapter: 'http', proxy: false });
      own = { instance: created, agents: [httpAgent, httpsAgent] };
    }
    return own.instance;
  }

  function agentsFor(target: AxiosInstance): ProxyAgents | undefined {
    if (proxy === undefined) return undefined;
    proxyAgents ??= createProxyAgents(proxy, target.defaults);
    return proxyAgents;
  }

  const send: Transport['send'] = (request, sendOptions) =>
    exchange(request, sendOptions, exchangeOptions, async ({ signal, body: source }) => {
      const target = instance();
      const agents = agentsFor(target);
      const body = requestBody(source);
      const config: AxiosRequestConfig = {
        url: request.url,
        method: request.method,
        headers: requestHeaders(request),
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
        timeout: 0,
        ...(body !== undefined && { data: body }),
        ...(signal && { signal }),
        ...(agents && { proxy: false as const, httpAgent: agents.http, httpsAgent: agents.https }),
      };
      try {
        const response: AxiosResponse<unknown> = await target.request(config);
        // A Node stream from axios' http adapter; a web stream or bytes from a custom adapter.
        return { status: response.status, headers: response.headers as Record<string, unknown>, body: response.data };
      } catch (error) {
        if (body instanceof Readable) body.destroy();
        throw error;
      }
    });

  return {
    specificationVersion: 'v1',
    name: 'axios',
    // Node's http client pipes a Readable body to the socket as it is read.
    streamsRequestBodies: true,
    send,
    async close() {
      proxyAgents?.http.destroy();
      proxyAgents?.https.destroy();
      proxyAgents = undefined;
      for (const agent of own?.agents ?? []) agent.destroy();
      own = undefined;
    },
  };
}

function validateOptions(options: AxiosTransportOptions): void {
  const { instance } = options;
  if (instance !== undefined) {
    const candidate = instance as unknown as Partial<Record<'request' | 'defaults', unknown>> | null;
    if (typeof candidate?.request !== 'function' || typeof candidate.defaults !== 'object' || candidate.defaults === null) {
      throw new InvalidOptionError(
        'instance',
        `${SOURCE}: \`instance\` must be an axios instance (axios.create() or axios itself)`,
      );
    }
    if (options.tls !== undefined) {
      throw new InvalidOptionError(
        'tls',
        `${SOURCE}: \`tls\` configures the transport's own agents; set it on your instance's httpsAgent`,
      );
    }
  }
}

function instanceTimeout(instance: AxiosInstance | undefined): number | undefined {
  const timeout = instance?.defaults.timeout;
  return typeof timeout === 'number' && Number.isSafeInteger(timeout) && timeout > 0 ? timeout : undefined;
}

/**
 * The request's headers as given. `false` for the ones the caller did not
 * set suppresses axios' own defaults: a JSON-flavoured `accept` and
 * `content-type`, and an `accept-encoding` offering gzip (base headers such
 * as `accept-encoding: identity` are core's to set, not the transport's).
 */
function requestHeaders(request: TransportRequest): Record<string, string | false> {
  const headers: Record<string, string | false> = { ...request.headers };
  for (const name of ['accept', 'content-type', 'accept-encoding']) if (!(name in headers)) headers[name] = false;
  return headers;
}

function requestBody(body: RequestBody | undefined): Buffer | Readable | undefined {
  if (body === undefined) return undefined;
  // A Buffer view, not the Uint8Array: axios' default transform would send a view's whole underlying ArrayBuffer.
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return Readable.from(requestBodyChunks(body), { objectMode: false });
}
