import { type Agent, type ClientRequest, Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AgentOptions as HttpsAgentOptions } from 'node:https';
import type { Socket } from 'node:net';
import { redactUrl, TransportError } from '@regkit/core';
import type { HeaderMap, Transport, TransportRequest, TransportResponse, TransportSendOptions } from '@regkit/core/spec';
import type { ResolvedHttpProxy } from '@regkit/core/transport-kit';
import type { ProxyEnvironmentRoutes } from './proxy-environment';

type RequestFn = typeof httpRequest;

/** How requests to one kind of target leave: the request function, its connection pool, and the proxy if any. */
interface Route {
  readonly request: RequestFn;
  readonly agent: Agent;
  /** A plain-HTTP target through this proxy: the request goes to the proxy in absolute form. */
  readonly forwardProxy?: ResolvedHttpProxy;
  /** Named in failures, without credentials. */
  readonly proxyOrigin?: string;
}

/** Options of {@link createHttpTransport}. */
export interface HttpTransportOptions {
  /** The forward proxies from the environment (see `readProxyRoutes`). Default: direct connections. */
  readonly proxy?: ProxyEnvironmentRoutes;
  /** TLS settings for https targets (the tests trust their own certificate with it). */
  readonly tls?: Pick<HttpsAgentOptions, 'ca'>;
}

/**
 * A transport over `node:http` / `node:https`. The CLI uses it instead of
 * `fetch` because Node compiles its bundled undici on the first `fetch`,
 * which costs more than the whole rest of a `regkit digest` run; `node:http`
 * is already in Node's startup snapshot. `node:https` (and with it TLS) is
 * loaded only when an https URL is met.
 *
 * Through a proxy, plain-HTTP targets are sent to it in absolute form (as
 * curl does, which every forward proxy accepts) and https targets are
 * tunnelled with `CONNECT`, so the proxy never sees their content.
 *
 * Contract as core's `Transport`: every status resolves, redirects are
 * returned, bodies stream both ways, aborts reject with `signal.reason`,
 * network failures become `TransportError` with the cause kept.
 */
export function createHttpTransport(options: HttpTransportOptions = {}): Transport {
  const routes = new Map<string, Route>();
  const routeFor = (url: URL): Route => {
    const proxy = options.proxy?.proxyFor(url);
    const key = proxy === undefined ? url.protocol : `${url.protocol}${proxy.origin}`;
    let found = routes.get(key);
    if (found === undefined) {
      found = createRoute(url.protocol, proxy, options.tls);
      routes.set(key, found);
    }
    return found;
  };
  return {
    specificationVersion: 'v1',
    name: 'node-http',
    // Bodies are written with backpressure and nothing is kept once written: one request per upload is safe.
    streamsRequestBodies: true,
    send(request, sendOptions) {
      if (sendOptions?.signal?.aborted) return Promise.reject(sendOptions.signal.reason);
      const url = new URL(request.url);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        return Promise.reject(new TransportError(`@regkit/cli: unsupported URL scheme in ${redactUrl(request.url)}`));
      }
      return send(routeFor(url), url, request, sendOptions);
    },
    async close() {
      for (const { agent } of routes.values()) agent.destroy();
      routes.clear();
    },
  };
}

function createRoute(protocol: string, proxy: ResolvedHttpProxy | undefined, tls: HttpTransportOptions['tls']): Route {
  const via = proxy === undefined ? {} : { proxyOrigin: proxy.origin };
  if (protocol === 'http:') {
    return { request: httpRequest, agent: new HttpAgent({ keepAlive: true }), ...via, ...(proxy && { forwardProxy: proxy }) };
  }
  // Loaded on demand: TLS is a noticeable share of start-up for loopback (plain HTTP) use.
  const https = process.getBuiltinModule('node:https') as typeof import('node:https');
  const agent = new https.Agent({ keepAlive: true, ...tls });
  if (proxy !== undefined) tunnelThrough(agent, proxy);
  return { request: https.request as RequestFn, agent, ...via };
}

type ConnectionCallback = (error: Error | null, socket?: Socket) => void;

/**
 * Makes an https agent open each connection as a `CONNECT` tunnel through
 * the proxy and run TLS inside it. The agent's pooling, keep-alive and TLS
 * settings stay as they are; only how a socket comes about changes.
 */
function tunnelThrough(agent: Agent, proxy: ResolvedHttpProxy): void {
  const tlsModule = process.getBuiltinModule('node:tls') as typeof import('node:tls');
  const withConnection = agent as unknown as {
    createConnection(
      options: import('node:tls').ConnectionOptions & { host: string; port: number },
      callback: ConnectionCallback,
    ): undefined;
  };
  withConnection.createConnection = (options, callback) => {
    const authority = `${options.host.includes(':') ? `[${options.host}]` : options.host}:${options.port}`;
    const connect = httpRequest({
      host: proxy.hostname,
      port: proxy.port,
      method: 'CONNECT',
      path: authority,
      headers: { host: authority, ...(proxy.authorization !== undefined && { 'proxy-authorization': proxy.authorization }) },
      agent: false,
    });
    connect.once('connect', (answer, socket) => {
      if (answer.statusCode !== 200) {
        socket.destroy();
        callback(new Error(`the proxy ${proxy.origin} refused the tunnel to ${authority} with HTTP ${answer.statusCode}`));
        return;
      }
      const secured = tlsModule.connect({ ...options, socket });
      callback(null, secured);
    });
    connect.once('error', (error) => callback(error));
    connect.end();
    return undefined;
  };
}

function failure(request: TransportRequest, during: string, cause: unknown, route?: Route): TransportError {
  const detail = cause instanceof Error ? `${cause.message}${codeOf(cause)}` : String(cause);
  const via = route?.proxyOrigin === undefined ? '' : ` through the proxy ${route.proxyOrigin}`;
  return new TransportError(`@regkit/cli: ${during}${request.method} ${redactUrl(request.url)}${via} failed: ${detail}`, {
    cause,
  });
}

function codeOf(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && !error.message.includes(code) ? ` (${code})` : '';
}

function send(route: Route, url: URL, request: TransportRequest, options: TransportSendOptions = {}): Promise<TransportResponse> {
  const { signal } = options;
  const headers: Record<string, string> = { ...request.headers };
  // Node sends no Accept-Encoding on its own, but say so: a registry must not compress digested bytes.
  if (headers['accept-encoding'] === undefined) headers['accept-encoding'] = 'identity';
  const body = request.body;
  if (body instanceof Uint8Array) headers['content-length'] = String(body.byteLength);

  return new Promise<TransportResponse>((resolve, reject) => {
    let settled = false;
    let response: IncomingMessage | undefined;
    let bodyFailed: ((error: unknown) => void) | undefined;
    const forward = route.forwardProxy;
    const req: ClientRequest =
      forward === undefined
        ? route.request(url, { method: request.method, headers, agent: route.agent })
        : route.request({
            host: forward.hostname,
            port: forward.port,
            method: request.method,
            path: url.href,
            headers: {
              ...headers,
              host: url.host,
              ...(forward.authorization !== undefined && { 'proxy-authorization': forward.authorization }),
            },
            agent: route.agent,
          });

    const onAbort = (): void => {
      const reason = signal?.reason;
      req.destroy();
      response?.destroy();
      if (!settled) {
        settled = true;
        reject(reason);
      } else bodyFailed?.(reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const detach = (): void => signal?.removeEventListener('abort', onAbort);

    req.on('error', (error) => {
      if (signal?.aborted) return;
      if (!settled) {
        settled = true;
        detach();
        reject(failure(request, '', error, route));
      }
    });
    req.on('response', (res) => {
      response = res;
      settled = true;
      const noBody = request.method === 'HEAD' || res.statusCode === 204 || res.statusCode === 304;
      if (noBody) {
        res.resume();
        detach();
      }
      const stream = noBody
        ? null
        : toWebStream(
            res,
            request,
            (fail) => {
              bodyFailed = fail;
            },
            detach,
          );
      resolve({ status: res.statusCode ?? 0, headers: collectHeaders(res.rawHeaders), url: request.url, body: stream });
    });

    if (body === undefined || body instanceof Uint8Array) {
      req.end(body);
    } else {
      void pump(body, req).catch((error: unknown) => {
        if (!settled) {
          settled = true;
          detach();
          reject(signal?.aborted ? signal.reason : failure(request, 'sending the body of ', error, route));
        }
        req.destroy();
      });
    }
  });
}

/** Writes a request body stream with backpressure. */
async function pump(body: ReadableStream<Uint8Array>, req: ClientRequest): Promise<void> {
  const reader = body.getReader();
  let sent = false;
  // An abort or a dropped connection closes the request while the producer may be waiting for data
  // that will never be sent: cancel it, or its file or generator waits for ever.
  req.once('close', () => {
    if (!sent) reader.cancel(new Error('the request closed before its body was sent')).catch(() => undefined);
  });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (req.destroyed) return;
      if (done) break;
      if (!req.write(value)) {
        await new Promise<void>((resolve, reject) => {
          const onDrain = (): void => {
            req.off('close', onClose);
            resolve();
          };
          const onClose = (): void => {
            req.off('drain', onDrain);
            reject(new Error('connection closed while sending the body'));
          };
          req.once('drain', onDrain);
          req.once('close', onClose);
        });
      }
    }
    sent = true;
    req.end();
  } catch (error) {
    await reader.cancel(error).catch(() => undefined);
    throw error;
  }
}

/** Lower-case names; repeated fields joined with `", "`, which Node's own `headers` object drops for some names. */
function collectHeaders(raw: readonly string[]): HeaderMap {
  const map: HeaderMap = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    const value = raw[i + 1] as string;
    const previous = map[name];
    map[name] = previous === undefined ? value : `${previous}, ${value}`;
  }
  return map;
}

/**
 * The response body as a web stream, one chunk per pull (no read-ahead), so
 * a slow consumer holds back the socket. Node reports a connection that ends
 * before `Content-Length` bytes as an `aborted` error on the message.
 */
function toWebStream(
  res: IncomingMessage,
  request: TransportRequest,
  onAbortHook: (fail: (error: unknown) => void) => void,
  detach: () => void,
): ReadableStream<Uint8Array> {
  let ended = false;
  let error: unknown;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  res.on('readable', notify);
  res.on('end', () => {
    ended = true;
    detach();
    notify();
  });
  res.on('error', (cause) => {
    error ??= failure(request, 'reading the response body of ', cause);
    detach();
    notify();
  });
  onAbortHook((reason) => {
    error = reason;
    notify();
  });
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          if (error !== undefined) {
            controller.error(error);
            return;
          }
          const chunk = res.read() as Buffer | null;
          if (chunk !== null) {
            controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
            return;
          }
          if (ended) {
            controller.close();
            return;
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        }
      },
      cancel() {
        detach();
        if (!res.complete) {
          res.destroy();
          return;
        }
        // An answer that has fully arrived (most write answers: a short body core cancels unread) is
        // read out of memory, so its connection goes back to the pool; destroying it would close it.
        // The pool takes the connection back on 'end', which comes a tick after the last read.
        while (res.read() !== null);
        if (res.readableEnded) return;
        return new Promise<void>((resolve) => res.once('close', resolve).once('end', resolve));
      },
    },
    { highWaterMark: 0 },
  );
}
