import {
  type HeaderMap,
  type Transport,
  TransportError,
  type TransportRequest,
  type TransportResponse,
  type TransportSendOptions,
} from '@regkit/core';

/** Anything that answers WHATWG requests for some origins: a {@link FakeRegistry} fits. */
export interface RequestHandlerTarget {
  /** True when this target answers requests to `origin`. */
  serves(origin: string): boolean;
  /** Answers one request. */
  handle(request: Request): Promise<Response>;
}

function collectHeaders(headers: Headers): HeaderMap {
  const out: HeaderMap = {};
  // Headers joins repeated values with ", " already; names come lower-case.
  headers.forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

const dropped = (url: string, cause: unknown) =>
  new TransportError(`[@regkit/testing] handler transport: the connection dropped while reading ${url}`, { cause });

/**
 * Passes the body through, erroring it with the abort reason if the signal
 * fires mid-body, and turning a body that fails (a `truncateBody` fault) into
 * `TransportError`, as a real connection dropping mid-body does.
 */
function guardedBody(body: ReadableStream<Uint8Array>, signal: AbortSignal | undefined, url: string): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let onAbort: (() => void) | undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (signal === undefined) return;
      onAbort = () => {
        controller.error(signal.reason);
        void reader.cancel(signal.reason).catch(() => {});
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    },
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (signal?.aborted) return;
        if (done) {
          if (onAbort) signal?.removeEventListener('abort', onAbort);
          controller.close();
        } else {
          controller.enqueue(value);
        }
      } catch (error) {
        if (onAbort) signal?.removeEventListener('abort', onAbort);
        if (!signal?.aborted) controller.error(dropped(url, error));
      }
    },
    cancel(reason) {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
      return reader.cancel(reason);
    },
  });
}

/**
 * A regkit {@link Transport} that calls fake registries' `handle()` directly:
 * no interception, no sockets, so it works whatever HTTP client the code
 * under test would otherwise use. Requests are routed by origin (a
 * registry's own origin, its token service, its loopback origins); a request
 * to an origin no target serves rejects with `TransportError`, as a refused
 * connection would. Redirects are returned, never followed. Injected faults
 * surface as they would on a network: a reset rejects with
 * `TransportError`, a truncated body errors mid-stream with `TransportError`.
 *
 * @example
 * ```ts
 * const registry = createFakeRegistry();
 * const client = new Registry({ domain: 'registry.fake.test', transport: createHandlerTransport(registry) });
 * ```
 */
export function createHandlerTransport(targets: RequestHandlerTarget | readonly RequestHandlerTarget[]): Transport {
  const list: readonly RequestHandlerTarget[] = Array.isArray(targets) ? targets : [targets as RequestHandlerTarget];
  if (list.length === 0) throw new TypeError('[@regkit/testing] createHandlerTransport: pass at least one registry');
  for (const target of list) {
    if (typeof target?.handle !== 'function' || typeof target.serves !== 'function') {
      throw new TypeError(
        '[@regkit/testing] createHandlerTransport: each target needs handle() and serves(), as a FakeRegistry has',
      );
    }
  }
  return {
    specificationVersion: 'v1',
    name: 'fake-registry-handler',
    async send(request: TransportRequest, options: TransportSendOptions = {}): Promise<TransportResponse> {
      const { signal } = options;
      signal?.throwIfAborted();
      let origin: string;
      try {
        origin = new URL(request.url).origin;
      } catch (error) {
        throw new TransportError(`[@regkit/testing] handler transport: not an absolute URL: ${request.method} ${request.url}`, {
          cause: error,
        });
      }
      const target = list.find((candidate) => candidate.serves(origin));
      if (target === undefined) {
        throw new TransportError(
          `[@regkit/testing] handler transport: no fake registry serves ${origin} (${request.method} ${request.url})`,
        );
      }
      const init: RequestInit & { duplex?: 'half' } = {
        method: request.method,
        headers: request.headers,
        redirect: 'manual',
        ...(signal === undefined ? {} : { signal }),
      };
      if (request.body !== undefined) {
        init.body = request.body as BodyInit;
        init.duplex = 'half';
      }
      let response: Response;
      try {
        response = await target.handle(new Request(request.url, init));
      } catch (error) {
        throw new TransportError(
          `[@regkit/testing] handler transport: the fake registry failed on ${request.method} ${request.url}`,
          { cause: error },
        );
      }
      if (signal?.aborted) {
        await response.body?.cancel().catch(() => {});
        throw signal.reason;
      }
      // Response.error() is how the fake says "the connection dropped" (a `reset` fault).
      if (response.type === 'error') {
        throw new TransportError(
          `[@regkit/testing] handler transport: the connection was reset (${request.method} ${request.url})`,
          { cause: new TypeError('fetch failed') },
        );
      }
      const noBody = request.method === 'HEAD' || response.status === 204 || response.status === 304;
      if (noBody) await response.body?.cancel().catch(() => {});
      return {
        status: response.status,
        headers: collectHeaders(response.headers),
        url: request.url,
        body: noBody || response.body === null ? null : guardedBody(response.body, signal, request.url),
      };
    },
  };
}
