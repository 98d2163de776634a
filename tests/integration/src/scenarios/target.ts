/**
 * A scenario target: one registry, fake or real, and what a scenario needs
 * to drive it with @regkit/core.
 */
import { createTokenAuthenticator } from '@regkit/auth-token';
import { type Authenticator, createFetchTransport, Registry, type Transport } from '@regkit/core';
import { createNullAuthenticator } from '@regkit/core/spec';
import { createFakeRegistry, type FakeRegistry, type ListeningRegistry, type RegistryProfileName } from '@regkit/testing';
import {
  connectionOf,
  DEFAULT_USERS,
  PushClient,
  type RegistryConnection,
  type RunningRegistry,
  startRegistry,
} from '../harness';
import { scenarioPlan, seedFake, seedReal } from './content';

/** Who a scenario acts as. In open mode everyone is anonymous. */
export type ScenarioUser = 'anonymous' | 'admin' | 'reader';

/** What a target's registry supports, so scenarios can skip what does not apply. */
export interface ScenarioCapabilities {
  /** `none` (open registry) or `token` (Docker token auth). */
  readonly auth: 'none' | 'token';
}

/** One token request, as the token service saw it. */
export interface SeenTokenRequest {
  /** Scopes asked for, as sent. */
  readonly scopes: readonly string[];
  /** Scopes granted. */
  readonly granted: readonly string[];
  /** The user, or `null` for anonymous requests. */
  readonly username: string | null;
}

/** Everything a scenario gets: a registry to drive, and ways to look behind it. */
export interface ScenarioTarget {
  /** For test names, e.g. `fake (distribution, token)`. */
  readonly name: string;
  /** `fake` (@regkit/testing on loopback) or `distribution` (the real 2.8 registry). */
  readonly implementation: 'fake' | 'distribution';
  /** For fakes, the profile they run. */
  readonly profile: RegistryProfileName | undefined;
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** `127.0.0.1:<port>`, the registry domain. */
  readonly host: string;
  /** The transport every client of this target uses. */
  readonly transport: Transport;
  /** A fresh authenticator (its own token cache) acting as `user`. */
  authenticator(user?: ScenarioUser): Authenticator;
  readonly capabilities: ScenarioCapabilities;
  /**
   * A plain-fetch client independent of regkit acting as `user` (anonymous:
   * no credentials), for protocol-level requests whose answer headers matter
   * even on errors (416, 500), and for pushes.
   */
  http(user?: ScenarioUser): PushClient;
  /** Token requests since the last {@link clearTokenRequests} (token mode; empty otherwise). */
  tokenRequests(): readonly SeenTokenRequest[];
  clearTokenRequests(): void;
  /** Stops the registry and closes the transport. */
  close(): Promise<void>;
}

/** A `Registry` for a target, with a fresh authenticator for `user`. */
export function clientFor(target: ScenarioTarget, user: ScenarioUser = 'admin'): Registry {
  return new Registry({
    domain: target.host,
    transport: target.transport,
    authenticator: target.authenticator(user),
    timeoutMs: 20_000,
    retry: { limit: 0 },
  });
}

function authenticatorFor(auth: ScenarioCapabilities['auth'], user: ScenarioUser): Authenticator {
  if (auth === 'none') return createNullAuthenticator();
  if (user === 'anonymous') return createTokenAuthenticator();
  const { username, password } = DEFAULT_USERS[user];
  return createTokenAuthenticator({ username, password });
}

function httpClient(connection: RegistryConnection, user: ScenarioUser): PushClient {
  return new PushClient(connection, user === 'anonymous' ? undefined : DEFAULT_USERS[user]);
}

/** A fake registry on loopback, seeded with the scenario content. */
export async function startFakeTarget(
  profile: 'distribution' | 'distribution-2.8' | 'oci-1.1',
  auth: ScenarioCapabilities['auth'],
): Promise<ScenarioTarget> {
  const registry: FakeRegistry = createFakeRegistry({
    profile,
    fixtures: false,
    auth: auth === 'token' ? 'token' : 'none',
    // The harness users: admin may do everything and list the catalog, reader only pulls.
    users: [
      { username: DEFAULT_USERS.admin.username, password: DEFAULT_USERS.admin.password },
      {
        username: DEFAULT_USERS.reader.username,
        password: DEFAULT_USERS.reader.password,
        access: { '*': ['pull'] },
        catalog: false,
      },
    ],
  });
  seedFake(registry, scenarioPlan());
  const server: ListeningRegistry = await registry.listen();
  const transport = createFetchTransport();
  const connection: RegistryConnection = {
    origin: server.origin,
    mode: auth === 'token' ? 'token' : 'open',
    token:
      server.authOrigin === undefined
        ? undefined
        : { realm: `${server.authOrigin}/token`, service: new URL(registry.origin).host },
  };
  return {
    name: `fake (${profile}, ${auth === 'token' ? 'token' : 'open'})`,
    implementation: 'fake',
    profile,
    origin: server.origin,
    host: new URL(server.origin).host,
    transport,
    capabilities: { auth },
    authenticator: (user = 'admin') => authenticatorFor(auth, user),
    http: (user = 'admin') => httpClient(connection, user),
    tokenRequests: () =>
      registry.tokenCalls.map((call) => ({ scopes: call.scopes, granted: call.granted, username: call.username })),
    clearTokenRequests: () => registry.clearCalls(),
    async close() {
      await server.close();
      await transport.close?.();
    },
  };
}

/** A real distribution 2.8 registry from the harness, seeded with the scenario content. */
export async function startRealTarget(auth: ScenarioCapabilities['auth']): Promise<ScenarioTarget> {
  const running: RunningRegistry = await startRegistry({
    mode: auth === 'token' ? 'token' : 'open',
    // Anonymous callers may pull everything, as in the fake.
    anonymous: { '*': ['pull'] },
  });
  try {
    await seedReal(new PushClient(connectionOf(running), DEFAULT_USERS.admin), scenarioPlan());
  } catch (error) {
    await running.stop();
    throw error;
  }
  const transport = createFetchTransport();
  const tokenServer = running.tokenServer;
  tokenServer?.clearTokenRequests();
  return {
    name: `distribution 2.8 (${auth === 'token' ? 'token' : 'open'})`,
    implementation: 'distribution',
    profile: undefined,
    origin: running.origin,
    host: running.host,
    transport,
    capabilities: { auth },
    authenticator: (user = 'admin') => authenticatorFor(auth, user),
    http: (user = 'admin') => httpClient(connectionOf(running), user),
    tokenRequests: () =>
      (tokenServer?.tokenRequests ?? []).map((request) => ({
        scopes: request.scopes,
        granted: request.granted,
        username: request.username,
      })),
    clearTokenRequests: () => tokenServer?.clearTokenRequests(),
    async close() {
      await transport.close?.();
      await running.stop();
    },
  };
}
