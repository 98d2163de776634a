import { createFetchTransport, Registry, type RegistryOptions } from '@regkit/core';
import type { Transport } from '@regkit/core/spec';
import { afterAll, afterEach, beforeAll } from 'vitest';
import {
  createFakeRegistry,
  type FakeRegistry,
  type FakeRegistryOptions,
  type ListeningRegistry,
  type ListenOptions,
} from './fake-registry';
import { createHandlerTransport } from './handler-transport';
import { interceptedOrigins } from './origins';

/**
 * How requests reach the fake:
 *
 * - `listen` (default): real loopback servers for the registry, its token
 *   service and blob storage; any HTTP client works.
 * - `msw`: MSW `setupServer` intercepts the fake's configured origins
 *   (`fetch`, axios, anything on node:http); needs `msw` installed.
 * - `transport`: no network at all; `handle.transport` calls the fake directly.
 */
export type FakeRegistryMode = 'listen' | 'msw' | 'transport';

/** Options for {@link useFakeRegistry}: the registry's, plus how to wire it. */
export interface UseFakeRegistryOptions extends FakeRegistryOptions {
  /** How requests reach the fake. Default `listen`. */
  readonly mode?: FakeRegistryMode;
  /** Ports for `listen` mode. */
  readonly listen?: ListenOptions;
  /** `msw` mode: what MSW does with requests to other origins. Default `error`. */
  readonly onUnhandledRequest?: 'error' | 'warn' | 'bypass';
  /** Call `registry.reset()` after each test (fixtures back, calls, tokens and faults gone). Default true. */
  readonly resetAfterEach?: boolean;
}

/** Options for {@link useFakeDockerHub}: those of {@link useFakeRegistry}, profile fixed to `docker-hub`. */
export type UseFakeDockerHubOptions = Omit<UseFakeRegistryOptions, 'profile'>;

/** Client options a handle fills in itself. */
export type FakeClientOptions = Omit<RegistryOptions, 'domain' | 'proxy' | 'protocol'>;

/** What {@link useFakeRegistry} returns: usable in tests once `beforeAll` ran. */
export interface FakeRegistryHandle {
  /** The fake itself: seed it, inject faults, read `calls` and `tokenCalls`. Usable at once. */
  readonly registry: FakeRegistry;
  /** How requests reach it. */
  readonly mode: FakeRegistryMode;
  /**
   * Where clients send requests: `http://127.0.0.1:<port>` in `listen`
   * mode, the configured origin (`https://registry-1.docker.io`) otherwise.
   */
  readonly origin: string;
  /** `origin` without the scheme, as `Registry`'s `domain` or `proxy` wants it. */
  readonly host: string;
  /** The loopback servers in `listen` mode; `undefined` in other modes. */
  readonly server: ListeningRegistry | undefined;
  /**
   * A transport that reaches the fake: `createFetchTransport()` in `listen`
   * and `msw` modes, `createHandlerTransport(registry)` in `transport` mode.
   * Closed after all tests.
   */
  readonly transport: Transport;
  /**
   * A `@regkit/core` `Registry` wired to the fake: the fake's own domain
   * (`docker.io` for Docker Hub, so `golang` means `library/golang`), this
   * handle's transport, and in `listen` mode the loopback server as `proxy`
   * over plain HTTP. Pass an authenticator for token or basic auth.
   */
  client(options?: FakeClientOptions): Registry;
}

interface MswServer {
  listen(options: { onUnhandledRequest: 'error' | 'warn' | 'bypass' }): void;
  close(): void;
}

function fail(message: string): never {
  throw new Error(`[@regkit/testing/vitest] ${message}`);
}

async function startMsw(registry: FakeRegistry, onUnhandledRequest: 'error' | 'warn' | 'bypass'): Promise<MswServer> {
  // Imported here so that listen and transport modes work without msw installed.
  let msw: typeof import('msw');
  let node: typeof import('msw/node');
  try {
    [msw, node] = await Promise.all([import('msw'), import('msw/node')]);
  } catch (error) {
    throw new Error('[@regkit/testing/vitest] mode "msw" needs the msw package: npm install --save-dev msw', { cause: error });
  }
  const handlers = interceptedOrigins(registry).map((origin) =>
    msw.http.all(`${origin}/*`, ({ request }) => registry.handle(request)),
  );
  const server = node.setupServer(...handlers);
  server.listen({ onUnhandledRequest });
  return server;
}

/**
 * Creates a fake registry for the current test file (or `describe` block)
 * and wires it into vitest: `beforeAll` starts it (loopback servers or MSW),
 * `afterEach` resets it, `afterAll` stops it and closes the transport.
 *
 * @example
 * ```ts
 * import { createTokenAuthenticator } from '@regkit/auth-token';
 * import { useFakeRegistry } from '@regkit/testing/vitest';
 *
 * const fake = useFakeRegistry({ auth: 'token' });
 *
 * it('pulls with one token', async () => {
 *   const client = fake.client({ authenticator: createTokenAuthenticator() });
 *   await client.repository('library/golang').images().getByTag('1.12.0');
 *   expect(fake.registry.tokenCalls).toHaveLength(1);
 * });
 * ```
 */
export function useFakeRegistry(options: UseFakeRegistryOptions = {}): FakeRegistryHandle {
  const { mode = 'listen', listen, onUnhandledRequest = 'error', resetAfterEach = true, ...registryOptions } = options;
  if (mode !== 'listen' && mode !== 'msw' && mode !== 'transport')
    fail(`mode must be listen, msw or transport, got ${JSON.stringify(mode)}`);
  const registry = createFakeRegistry(registryOptions);
  const transport: Transport = mode === 'transport' ? createHandlerTransport(registry) : createFetchTransport();
  let server: ListeningRegistry | undefined;
  let msw: MswServer | undefined;

  beforeAll(async () => {
    if (mode === 'listen') server = await registry.listen(listen);
    else if (mode === 'msw') msw = await startMsw(registry, onUnhandledRequest);
  });
  if (resetAfterEach) afterEach(() => registry.reset());
  afterAll(async () => {
    msw?.close();
    await server?.close();
    await transport.close?.();
  });

  const origin = (): string => {
    if (mode !== 'listen') return registry.origin;
    if (server === undefined) fail('the loopback server starts in beforeAll: use handle.origin inside tests or hooks');
    return server.origin;
  };

  return {
    registry,
    mode,
    get origin() {
      return origin();
    },
    get host() {
      return new URL(origin()).host;
    },
    get server() {
      return server;
    },
    transport,
    client(clientOptions: FakeClientOptions = {}) {
      const domain = new URL(registry.origin).host;
      if (mode !== 'listen') return new Registry({ transport, ...clientOptions, domain });
      return new Registry({ transport, ...clientOptions, domain, proxy: new URL(origin()).host, protocol: 'http' });
    },
  };
}

/**
 * {@link useFakeRegistry} with the `docker-hub` profile: token auth on
 * `auth.docker.io`, `library/` fixtures, the pull rate limit, blob redirects
 * to a storage host that refuses `Authorization`. In `listen` mode the
 * registry, token service and storage each get a loopback port, and
 * challenges and redirects name those ports.
 *
 * @example
 * ```ts
 * const hub = useFakeDockerHub();
 *
 * it('asks for exactly one token', async () => {
 *   const client = hub.client({ authenticator: createTokenAuthenticator() });
 *   await client.repositoryFromString('golang').images().getByTag('1.12.0');
 *   expect(hub.registry.tokenCalls.map((call) => call.scopes)).toEqual([['repository:library/golang:pull']]);
 * });
 * ```
 */
export function useFakeDockerHub(options: UseFakeDockerHubOptions = {}): FakeRegistryHandle {
  return useFakeRegistry({ ...options, profile: 'docker-hub' });
}
