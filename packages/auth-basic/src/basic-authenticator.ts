import { AuthenticationError, InvalidOptionError } from '@regkit/core';
import {
  type AuthDecision,
  type Authenticator,
  authenticatorFromProvider,
  basicAuthorization,
  type CredentialProvider,
  createNullAuthenticator,
} from '@regkit/core/spec';

/** Options of {@link createBasicAuthenticator}: a username and password. */
export interface BasicAuthenticatorOptions {
  /** The username. Must not contain `:` (RFC 7617) or control characters. */
  readonly username: string;
  /** The password or access token. Must not contain control characters. */
  readonly password: string;
}

/**
 * Options of {@link createBasicAuthenticator} with credentials from a
 * provider instead of fixed ones.
 */
export interface BasicProviderOptions {
  /**
   * Where to get the username and password, e.g. `createDockerConfigCredentials()`
   * from `@regkit/docker-config`: asked with the registry's `host[:port]` and
   * the request's repository. `undefined` means anonymous; an
   * `{ identityToken }` answer cannot be used for Basic and fails the request
   * with `AuthenticationError`. Answers are remembered per host and
   * repository until the registry answers `401`; then the provider is asked
   * again.
   */
  readonly credentials: CredentialProvider;
}

const NO_RESEND: AuthDecision = Object.freeze({ resend: false });
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

function fail(option: string, message: string): never {
  throw new InvalidOptionError(option, `@regkit/auth-basic: ${message}`);
}

function validateProvider(record: Record<string, unknown>): CredentialProvider {
  for (const name of Object.keys(record)) {
    if (name === 'username' || name === 'password') fail('credentials', `give credentials or ${name}, not both`);
    if (name !== 'credentials') fail(name, `unknown option ${JSON.stringify(name)}`);
  }
  const { credentials } = record;
  const provider = credentials as Partial<CredentialProvider> | null;
  if (
    typeof provider !== 'object' ||
    provider === null ||
    provider.specificationVersion !== 'v1' ||
    typeof provider.getCredentials !== 'function'
  ) {
    fail('credentials', "credentials must be a CredentialProvider (specificationVersion 'v1' and getCredentials())");
  }
  return provider as CredentialProvider;
}

function validate(options: unknown): BasicAuthenticatorOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    fail('options', 'options must be an object with username and password');
  }
  const record = options as Record<string, unknown>;
  for (const name of Object.keys(record)) {
    // `credentials: undefined` (from a spread) means fixed credentials.
    if (name === 'credentials' && record[name] === undefined) continue;
    if (name !== 'username' && name !== 'password') fail(name, `unknown option ${JSON.stringify(name)}`);
  }
  const { username, password } = record;
  if (typeof username !== 'string' || username === '') fail('username', 'username must be a non-empty string');
  if (username.includes(':') || CONTROL.test(username)) fail('username', 'username must not contain ":" or control characters');
  if (typeof password !== 'string') fail('password', 'password must be a string');
  if (CONTROL.test(password)) fail('password', 'password must not contain control characters');
  return { username, password };
}

/**
 * Creates an authenticator that sends HTTP Basic credentials with every
 * request to the registry (htpasswd-protected distribution, Artifactory,
 * Nexus). Core sends them only to the registry's own origin, and only over
 * https unless the registry allows plain HTTP (created with protocol
 * `"http"`, or on a loopback host).
 *
 * A `401` after sending credentials means they were rejected, so it never
 * asks core to resend; core then throws `UnauthorizedError`. For registries
 * that use Docker token auth (Docker Hub, GHCR), use `@regkit/auth-token`
 * instead; it also answers Basic challenges.
 *
 * @throws {InvalidOptionError} at once, for missing or invalid options
 * (messages start with `@regkit/auth-basic:`).
 *
 * @example
 * ```ts
 * import { Registry } from '@regkit/core';
 * import { createBasicAuthenticator } from '@regkit/auth-basic';
 *
 * const registry = new Registry({
 *   domain: 'registry.internal.example:5000',
 *   authenticator: createBasicAuthenticator({ username: 'ci', password: process.env.REGISTRY_PASSWORD ?? '' }),
 * });
 * ```
 *
 * @example With what docker login stored
 * ```ts
 * import { createDockerConfigCredentials } from '@regkit/docker-config';
 *
 * const authenticator = createBasicAuthenticator({ credentials: createDockerConfigCredentials() });
 * ```
 */
export function createBasicAuthenticator(options: BasicAuthenticatorOptions | BasicProviderOptions): Authenticator {
  if (typeof options === 'object' && options !== null && (options as { credentials?: unknown }).credentials !== undefined) {
    const provider = validateProvider(options as unknown as Record<string, unknown>);
    return authenticatorFromProvider(
      provider,
      (answer) => {
        if (answer === undefined) return createNullAuthenticator();
        if ('identityToken' in answer) {
          throw new AuthenticationError(
            '@regkit/auth-basic: the credential provider answered with an identity token, which Basic authentication cannot use; use @regkit/auth-token',
          );
        }
        return createBasicAuthenticator({ username: answer.username, password: answer.password });
      },
      { packageName: '@regkit/auth-basic', name: 'basic', label: 'BasicAuthenticator' },
    );
  }
  const { username, password } = validate(options);
  const header = basicAuthorization(username, password);

  // Core calls this only for the registry's own origin and refuses credentials over plain HTTP unless allowed.
  const handleRequest = async () => ({ authorization: header });

  return Object.freeze({
    specificationVersion: 'v1' as const,
    name: 'basic',
    handleRequest,
    // Credentials go with every request, so a 401 means they were refused.
    handleResponse: async () => NO_RESEND,
    toString: () => 'BasicAuthenticator',
    toJSON: () => ({ specificationVersion: 'v1', name: 'basic' }),
    [Symbol.for('nodejs.util.inspect.custom')]: () => "BasicAuthenticator { name: 'basic' }",
  });
}
