import { createFakeRegistry, type FakeRegistry, type FakeRegistryOptions } from './fake-registry';

/** Options for {@link createFakeDockerHub}: those of `createFakeRegistry`, profile fixed to `docker-hub`. */
export type FakeDockerHubOptions = Omit<FakeRegistryOptions, 'profile'>;

/**
 * A simulated Docker Hub: `https://registry-1.docker.io` behind the token
 * service on `https://auth.docker.io/token` (service `registry.docker.io`,
 * anonymous pulls allowed), official images under `library/` (the
 * {@link FIXTURES}), tags paged 100 at a time, no catalog, the pull rate
 * limit (`RateLimit-*` headers, 429 when spent), and blob GETs redirected
 * to `https://production.cloudflare.docker.com`, which refuses requests
 * carrying `Authorization`. Shorthand for
 * `createFakeRegistry({ profile: 'docker-hub', ...options })`.
 *
 * @example
 * ```ts
 * const hub = createFakeDockerHub();
 * const client = new Registry({ domain: 'docker.io', transport: createHandlerTransport(hub), authenticator: createTokenAuthenticator() });
 * await client.image('golang:1.12.0');
 * expect(hub.tokenCalls.map((call) => call.scopes)).toEqual([['repository:library/golang:pull']]);
 * ```
 */
export function createFakeDockerHub(options: FakeDockerHubOptions = {}): FakeRegistry {
  return createFakeRegistry({ ...options, profile: 'docker-hub' });
}
