import { InvalidOptionError } from '@regkit/core';
import type { CredentialProvider } from '@regkit/core/spec';
import type { TokenCache } from './token-cache';

/** A source of the current time; inject one in tests to move time by hand. */
export interface Clock {
  /** Milliseconds since the epoch, like `Date.now()`. */
  now(): number;
}

/** Options of `createTokenAuthenticator`. All are optional: without credentials it fetches anonymous tokens. */
export interface TokenAuthenticatorOptions {
  /**
   * Username for the token service (sent as Basic credentials on token GETs,
   * or in the OAuth2 password grant). Give it with `password`.
   */
  readonly username?: string;
  /** Password or access token (GHCR, Docker Hub PATs). Give it with `username`. */
  readonly password?: string;
  /**
   * An OAuth2 refresh token (Docker's "identity token"). Token requests then
   * use the OAuth2 POST flow with `grant_type=refresh_token`.
   */
  readonly refreshToken?: string;
  /**
   * Where to get credentials instead of `username`/`password`/`refreshToken`
   * (not together with them): a `CredentialProvider` such as
   * `@regkit/docker-config`'s `createDockerConfigCredentials()`. It is asked
   * with the registry's `host[:port]` and the repository of the request; a
   * `{ username, password }` answer is used as those options, an
   * `{ identityToken }` as `refreshToken`, `undefined` means anonymous. The
   * answer goes only where fixed credentials would. Answers are remembered
   * per host and repository until the registry or token service refuses
   * them; then the provider is asked again.
   */
  readonly credentials?: CredentialProvider;
  /**
   * Where tokens are kept. Default: a private in-memory cache of up to 1000
   * tokens. Pass a shared one to reuse tokens across authenticators.
   */
  readonly cache?: TokenCache;
  /** The time source for token expiry. Default `Date.now`. */
  readonly clock?: Clock;
  /**
   * `client_id` for token requests. Always sent in OAuth2 POSTs (where it is
   * required; default `regkit`); sent on GETs only when given.
   */
  readonly clientId?: string;
  /**
   * How long before expiry a token is replaced, in milliseconds, so that it
   * cannot expire in flight. Capped at half the token's lifetime. Default 10 000.
   */
  readonly refreshMarginMs?: number;
  /**
   * Use the OAuth2 password grant (POST, `access_type=offline`) instead of a
   * GET with Basic credentials, and keep the refresh token it returns for
   * later requests. Needs `username` and `password`. Default false.
   */
  readonly oauth2?: boolean;
  /**
   * After a registry's first challenge, fetch the token a request needs
   * before sending it, instead of waiting for another 401. Default true.
   * When false, only tokens already cached are sent up front.
   */
  readonly prefetch?: boolean;
}

const KNOWN = new Set([
  'username',
  'password',
  'refreshToken',
  'credentials',
  'cache',
  'clock',
  'clientId',
  'refreshMarginMs',
  'oauth2',
  'prefetch',
]);
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

function fail(option: string, message: string): never {
  throw new InvalidOptionError(option, `@regkit/auth-token: ${message}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Checks every option up front, so a typo fails at construction, not at the first 401. */
export function validateOptions(options: unknown): TokenAuthenticatorOptions {
  if (options === undefined) return {};
  if (!isObject(options) || Array.isArray(options)) fail('options', 'options must be an object');
  for (const name of Object.keys(options)) {
    if (!KNOWN.has(name)) fail(name, `unknown option ${JSON.stringify(name)}`);
  }
  validateProvider(options);
  const { username, password, refreshToken, cache, clock, clientId, refreshMarginMs, oauth2, prefetch } = options;
  if (username !== undefined) {
    if (typeof username !== 'string' || username === '') fail('username', 'username must be a non-empty string');
    // RFC 7617: the user-id of Basic credentials cannot contain a colon.
    if (username.includes(':') || CONTROL.test(username)) fail('username', 'username must not contain ":" or control characters');
  }
  if (password !== undefined) {
    if (typeof password !== 'string') fail('password', 'password must be a string');
    if (CONTROL.test(password)) fail('password', 'password must not contain control characters');
  }
  if ((username === undefined) !== (password === undefined)) {
    fail(username === undefined ? 'username' : 'password', 'username and password must be given together');
  }
  if (refreshToken !== undefined) {
    if (typeof refreshToken !== 'string' || refreshToken === '') fail('refreshToken', 'refreshToken must be a non-empty string');
    if (CONTROL.test(refreshToken)) fail('refreshToken', 'refreshToken must not contain control characters');
  }
  if (cache !== undefined) {
    const ok = isObject(cache) && ['get', 'set', 'delete'].every((method) => typeof cache[method] === 'function');
    if (!ok) fail('cache', 'cache must have get, set and delete methods');
  }
  if (clock !== undefined && !(isObject(clock) && typeof clock.now === 'function')) {
    fail('clock', 'clock must have a now() method');
  }
  if (clientId !== undefined && (typeof clientId !== 'string' || !/^[\x20-\x7e]+$/.test(clientId))) {
    fail('clientId', 'clientId must be a non-empty string of printable ASCII characters');
  }
  if (
    refreshMarginMs !== undefined &&
    (typeof refreshMarginMs !== 'number' || !Number.isFinite(refreshMarginMs) || refreshMarginMs < 0)
  ) {
    fail('refreshMarginMs', 'refreshMarginMs must be a finite number of milliseconds, zero or more');
  }
  if (oauth2 !== undefined && typeof oauth2 !== 'boolean') fail('oauth2', 'oauth2 must be a boolean');
  if (oauth2 === true && username === undefined && options.credentials === undefined) {
    fail('oauth2', 'oauth2 needs username and password');
  }
  if (prefetch !== undefined && typeof prefetch !== 'boolean') fail('prefetch', 'prefetch must be a boolean');
  return options as TokenAuthenticatorOptions;
}

/** `credentials` must be a v1 provider, and replaces the fixed credential options. */
function validateProvider(options: Record<string, unknown>): void {
  const { credentials } = options;
  if (credentials === undefined) return;
  const ok =
    isObject(credentials) && credentials.specificationVersion === 'v1' && typeof credentials.getCredentials === 'function';
  if (!ok) fail('credentials', "credentials must be a CredentialProvider (specificationVersion 'v1' and getCredentials())");
  for (const fixed of ['username', 'password', 'refreshToken']) {
    if (options[fixed] !== undefined) fail('credentials', `give credentials or ${fixed}, not both`);
  }
}
