import { NetworkError, redactUrl, TransportError } from '@regkit/core';
import type { Transport, TransportRequest, TransportResponse, TransportSendOptions } from '@regkit/core/spec';
import { exchange } from '@regkit/core/transport-kit';

/** Anything that answers WHATWG requests for some origins: a {@link FakeRegistry} fits. */
export interface RequestHandlerTarget {
  /** True when this target answers requests to `origin`. */
  serves(origin: string): boolean;
  /** Answers one request. */
  handle(request: Request): Promise<Response>;
}

const SOURCE = '@regkit/testing handler transport';

/** The connection "dropped" mid-body: a `truncateBody` fault errors the fake's stream. */
const dropped = (request: TransportRequest) => (cause: unknown) =>
  new NetworkError(
    `${SOURCE}: the connection dropped while reading ${request.method} ${redactUrl(request.url)}`,
    { retryable: true },
    { cause },
  );

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
    // The body goes to the fake registry as the stream it is; nothing is buffered here.
    streamsRequestBodies: true,
    send(request: TransportRequest, options?: TransportSendOptions): Promise<TransportResponse> {
      const signal = options?.signal;
      // No network here: what fails is the fake itself, and those errors are already the ones to show.
      const mapError = (error: unknown, during: 'request' | 'body') =>
        signal?.aborted ? signal.reason : during === 'body' ? dropped(request)(error) : error;
      return exchange(
        request,
        options,
        { source: SOURCE, mapError, headersTimeoutMs: 0, bodyTimeoutMs: 0 },
        async ({ url, signal, body }) => {
          const target = list.find((candidate) => candidate.serves(url.origin));
          if (target === undefined) {
            throw new TransportError(
              `[@regkit/testing] handler transport: no fake registry serves ${url.origin} (${request.method} ${redactUrl(request.url)})`,
            );
          }
          const init: RequestInit & { duplex?: 'half' } = {
            method: request.method,
            headers: request.headers,
            redirect: 'manual',
          };
          if (signal) init.signal = signal;
          if (body !== undefined) {
            init.body = body as BodyInit;
            init.duplex = 'half';
          }
          let response: Response;
          try {
            response = await target.handle(new Request(request.url, init));
          } catch (error) {
            throw new TransportError(
              `[@regkit/testing] handler transport: the fake registry failed on ${request.method} ${redactUrl(request.url)}`,
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
              `[@regkit/testing] handler transport: the connection was reset (${request.method} ${redactUrl(request.url)})`,
              { cause: new TypeError('fetch failed') },
            );
          }
          return { status: response.status, headers: response.headers, body: response.body };
        },
      );
    },
  };
}
