import { type Agent, type ClientRequest, Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import type { HeaderMap, Transport, TransportRequest, TransportResponse, TransportSendOptions } from '@regkit/core';
import { redactUrl, TransportError } from '@regkit/core';

type RequestFn = typeof httpRequest;

interface Scheme {
  readonly request: RequestFn;
  readonly agent: Agent;
}

/**
 * A transport over `node:http` / `node:https`. The CLI uses it instead of
 * `fetch` because Node compiles its bundled undici on the first `fetch`,
 * which costs more than the whole rest of a `regkit digest` run; `node:http`
 * is already in Node's startup snapshot. `node:https` (and with it TLS) is
 * loaded only when an https URL is met.
 *
 * Contract as core's `Transport`: every status resolves, redirects are
 * returned, bodies stream both ways, aborts reject with `signal.reason`,
 * network failures become `TransportError` with the cause kept.
 */
export function createHttpTransport(): Transport {
  const schemes = new Map<string, Scheme>();
  const scheme = (protocol: string): Scheme => {
    let found = schemes.get(protocol);
    if (found === undefined) {
      if (protocol === 'http:') {
        found = { request: httpRequest, agent: new HttpAgent({ keepAlive: true }) };
      } else {
        // Loaded on demand: TLS is a noticeable share of start-up for loopback (plain HTTP) use.
        const https = process.getBuiltinModule('node:https') as typeof import('node:https');
        found = { request: https.request as RequestFn, agent: new https.Agent({ keepAlive: true }) };
      }
      schemes.set(protocol, found);
    }
    return found;
  };
  return {
    specificationVersion: 'v1',
    name: 'node-http',
    send(request, options) {
      if (options?.signal?.aborted) return Promise.reject(options.signal.reason);
      const url = new URL(request.url);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        return Promise.reject(new TransportError(`@regkit/cli: unsupported URL scheme in ${redactUrl(request.url)}`));
      }
      return send(scheme(url.protocol), url, request, options);
    },
    async close() {
      for (const { agent } of schemes.values()) agent.destroy();
      schemes.clear();
    },
  };
}

function failure(request: TransportRequest, during: string, cause: unknown): TransportError {
  const detail = cause instanceof Error ? `${cause.message}${codeOf(cause)}` : String(cause);
  return new TransportError(`@regkit/cli: ${during}${request.method} ${redactUrl(request.url)} failed: ${detail}`, { cause });
}

function codeOf(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && !error.message.includes(code) ? ` (${code})` : '';
}

function send(
  scheme: Scheme,
  url: URL,
  request: TransportRequest,
  options: TransportSendOptions = {},
): Promise<TransportResponse> {
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
    const req: ClientRequest = scheme.request(url, { method: request.method, headers, agent: scheme.agent });

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
        reject(failure(request, '', error));
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
          reject(signal?.aborted ? signal.reason : failure(request, 'sending the body of ', error));
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
        res.destroy();
      },
    },
    { highWaterMark: 0 },
  );
}
