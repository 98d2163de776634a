import { Registry, type RegistryOptions } from '@regkit/core';
import type { Authenticator } from '@regkit/core/spec';
import type { LoginCredentials, LoginOptions } from './docker-config-credentials';

/**
 * A `verify` function for `login` that does what `docker login` does: a
 * `GET /v2/` through core's `Registry` with the authenticator you build from
 * the credentials, so token registries (a token request with them) and
 * Basic registries (the request itself) both get to refuse. Pass the
 * authenticator factory of the package you use, which keeps this package
 * free of a dependency on either.
 *
 * @param registryOptions - other `Registry` options: `transport`, `protocol`, `timeoutMs`, …
 *
 * @example
 * ```ts
 * import { createTokenAuthenticator } from '@regkit/auth-token';
 * import { createDockerConfigCredentials, verifyWithRegistry } from '@regkit/docker-config';
 *
 * await createDockerConfigCredentials().login('ghcr.io', { username: 'me', password: process.env.GHCR_TOKEN ?? '' }, {
 *   verify: verifyWithRegistry((credentials) => createTokenAuthenticator(credentials)),
 * });
 * ```
 */
export function verifyWithRegistry(
  createAuthenticator: (credentials: LoginCredentials) => Authenticator,
  registryOptions: Omit<RegistryOptions, 'domain' | 'authenticator'> = {},
): LoginOptions['verify'] {
  return async ({ host, username, password, signal }) => {
    const registry = new Registry({
      ...registryOptions,
      domain: host,
      authenticator: createAuthenticator({ username, password }),
    });
    try {
      await registry.ping(signal === undefined ? {} : { signal });
    } finally {
      await registry.close();
    }
  };
}
