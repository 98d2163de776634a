import { type HttpHandler, http } from 'msw';
import type { FakeRegistry } from './fake-registry';
import { interceptedOrigins } from './origins';

/**
 * MSW request handlers that answer every request to the registry's origin
 * (and its token service and blob storage, when it has them) with
 * `registry.handle()`. A `reset` fault becomes an MSW network error. Use
 * them with `setupServer` (Node) or `setupWorker`; they see `fetch`, axios
 * and anything else on node:http, but not undici's own `request()` (use
 * `createHandlerTransport` or `registry.listen()` for that).
 *
 * @example
 * ```ts
 * import { setupServer } from 'msw/node';
 * import { fakeRegistryHandlers } from '@regkit/testing/msw';
 * const server = setupServer(...fakeRegistryHandlers(registry));
 * ```
 */
export function fakeRegistryHandlers(registry: FakeRegistry): HttpHandler[] {
  return interceptedOrigins(registry).map((origin) => http.all(`${origin}/*`, ({ request }) => registry.handle(request)));
}
