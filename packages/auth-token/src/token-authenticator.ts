import { AuthTokenInvalidError, AuthTokenNoBearerError, InsecureCredentialsError, TokenRequestError } from '@regkit/core';
import {
  type AuthContext,
  type AuthDecision,
  type Authenticator,
  type AuthRequest,
  type AuthResponseContext,
  authenticatorFromProvider,
  basicAuthorization,
  canonicalScopes,
  coversScopes,
  MAX_AUTH_RESENDS,
  splitScopes,
  untilAborted,
  widenScopes,
} from '@regkit/core/spec';
import { credentialIdentity } from './credential-identity';
import { type TokenAuthenticatorOptions, validateOptions } from './options';
import { type CachedToken, createMemoryTokenCache, tokenCacheKey } from './token-cache';
import {
  type BasicCredentials,
  getToken,
  type IssuedToken,
  postToken,
  type TokenEndpoint,
  type TokenExchange,
} from './token-request';

const RESEND: AuthDecision = Object.freeze({ resend: true });
const NO_RESEND: AuthDecision = Object.freeze({ resend: false });
/** Bound on the per-registry memory (scope aliases); old entries go first. */
const MAX_REMEMBERED = 1000;

/** What one attempt of a request carried. */
type Sent =
  | { readonly kind: 'none' }
  | { readonly kind: 'basic' }
  | {
      readonly kind: 'bearer';
      readonly key: string;
      readonly endpoint: TokenEndpoint;
      readonly scopes: readonly string[];
      readonly token: string;
    };

interface Choice {
  readonly key: string;
  readonly endpoint: TokenEndpoint;
  readonly scopes: readonly string[];
  readonly token: CachedToken;
}

/**
 * Per logical request, across its resends. Core passes the same `request`
 * object to every `handleRequest`/`handleResponse` call of one request.
 */
interface RequestState {
  sent: Sent | undefined;
  /** How many tokens the registry rejected for this request. */
  rejections: number;
  /** The token `handleResponse` fetched for the resend. */
  next: Choice | undefined;
}

interface Flight {
  readonly signal: AbortSignal | undefined;
  promise: Promise<CachedToken>;
}

const NONE: Sent = Object.freeze({ kind: 'none' });

function where(endpoint: TokenEndpoint): string {
  return `${endpoint.realm.origin}${endpoint.realm.pathname}`;
}

/**
 * The realm as a URL. Whether credentials may go there is core's decision,
 * made when the token request is sent; this only needs it parsed.
 */
function parseRealm(realm: string, origin: string): URL {
  try {
    return new URL(realm);
  } catch {
    throw new AuthTokenNoBearerError(`registry ${origin} sent a Bearer challenge whose realm is not an absolute URL`);
  }
}

function sameEndpoint(a: TokenEndpoint, b: TokenEndpoint): boolean {
  return a.realm.href === b.realm.href && a.service === b.service;
}

function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_REMEMBERED) map.delete(map.keys().next().value as K);
}

/**
 * Creates an authenticator for the Docker token protocol (Docker Hub, GHCR,
 * Quay, Harbor, GitLab, distribution with `auth.token`).
 *
 * On a `401` with a `Bearer` challenge it fetches a token for the challenge's
 * scopes from the realm and asks core to resend. Where credentials may go
 * (the registry origin, https unless allowed, a safe realm) is enforced by
 * core for every authenticator, this one included. Tokens are cached per
 * (registry origin, realm, service, sorted scope set, keyed hash of the
 * credential) until shortly before they expire, and only ever sent to the
 * registry they were obtained for; concurrent requests for the same key
 * share one fetch, and unrelated scopes are never merged into one token.
 * After a registry's first challenge, requests carry a token up front, with
 * no 401 round trip.
 *
 * Token requests are `GET realm?service=…&scope=…` with Basic credentials
 * when a username and password are given. With a refresh token (given, or
 * returned after `oauth2: true`) they are OAuth2 form POSTs, falling back to
 * GET when the realm answers 404 or 405.
 *
 * A registry that answers with only a `Basic` challenge (htpasswd-protected
 * distribution) gets Basic credentials when a username and password are
 * given; without them, `AuthTokenNoBearerError` is thrown.
 *
 * @throws {InvalidOptionError} at once, for invalid options (messages start
 * with `@regkit/auth-token:`).
 *
 * @example Anonymous pulls from Docker Hub
 * ```ts
 * import { Registry } from '@regkit/core';
 * import { createTokenAuthenticator } from '@regkit/auth-token';
 *
 * const registry = new Registry({ domain: 'docker.io', authenticator: createTokenAuthenticator() });
 * ```
 *
 * @example With credentials
 * ```ts
 * const authenticator = createTokenAuthenticator({ username: 'me', password: process.env.GHCR_TOKEN });
 * ```
 *
 * @example With what docker login stored
 * ```ts
 * import { createDockerConfigCredentials } from '@regkit/docker-config';
 *
 * const authenticator = createTokenAuthenticator({ credentials: createDockerConfigCredentials() });
 * ```
 */
export function createTokenAuthenticator(options: TokenAuthenticatorOptions = {}): Authenticator {
  const config = validateOptions(options);
  if (config.credentials !== undefined) {
    const { credentials: provider, oauth2, ...shared } = config;
    // One authenticator per answer, so an answer is handled exactly as the same fixed options would be.
    return authenticatorFromProvider(
      provider,
      (answer) =>
        createTokenAuthenticator(
          answer === undefined
            ? shared
            : 'identityToken' in answer
              ? { ...shared, refreshToken: answer.identityToken }
              : { ...shared, ...(oauth2 === undefined ? {} : { oauth2 }), username: answer.username, password: answer.password },
        ),
      { packageName: '@regkit/auth-token', name: 'token', label: 'TokenAuthenticator' },
    );
  }
  const credentials: BasicCredentials | undefined =
    config.username !== undefined && config.password !== undefined
      ? { username: config.username, password: config.password }
      : undefined;
  const cache = config.cache ?? createMemoryTokenCache();
  const clock = config.clock ?? { now: () => Date.now() };
  const clientId = config.clientId ?? 'regkit';
  const refreshMarginMs = config.refreshMarginMs ?? 10_000;
  const prefetch = config.prefetch ?? true;

  /** The refresh token in use: the configured one, or one the service returned. */
  let refreshToken = config.refreshToken;
  let refreshTokenLearned = false;
  /** Realm and service per registry origin, from its latest Bearer challenge. */
  const endpoints = new Map<string, TokenEndpoint>();
  /** Registry origins that asked for Basic instead of tokens. */
  const basicOrigins = new Set<string>();
  /** Scopes a registry challenged with for requests core derived other scopes for. */
  const aliases = new Map<string, readonly string[]>();
  /** Realms that answered 404/405 to an OAuth2 POST. */
  const getOnlyRealms = new Set<string>();
  const inflight = new Map<string, Flight>();
  const states = new WeakMap<AuthRequest, RequestState>();

  // Keys hold who the token is for, never a secret: the registry origin and
  // a keyed hash of the credential, so a shared cache can neither hand one
  // registry's token to another nor one password's token to another.
  let identity: Promise<string> | undefined;
  const identityOf = (): Promise<string> => {
    identity ??= credentialIdentity(
      credentials
        ? { kind: 'password', ...credentials }
        : config.refreshToken !== undefined
          ? { kind: 'refresh-token', refreshToken: config.refreshToken }
          : { kind: 'anonymous' },
    );
    return identity;
  };

  const secrets = (): string[] => {
    const list: string[] = [];
    if (credentials) {
      const { password } = credentials;
      // As sent: raw, form-encoded (POST), and inside the Basic header (GET).
      list.push(password, encodeURIComponent(password), new URLSearchParams({ p: password }).toString().slice(2));
      list.push(basicAuthorization(credentials.username, credentials.password).slice('Basic '.length));
    }
    if (config.refreshToken !== undefined) list.push(config.refreshToken);
    if (refreshToken !== undefined) list.push(refreshToken);
    return list.filter((secret) => secret !== '');
  };

  const keyFor = async (origin: string, endpoint: TokenEndpoint, scopes: readonly string[]): Promise<string> =>
    tokenCacheKey({ origin, realm: endpoint.realm.href, service: endpoint.service, scopes, identity: await identityOf() });

  const aliasKey = (origin: string, scopes: readonly string[]): string => `${origin} ${canonicalScopes(scopes).join(' ')}`;

  const isFresh = (token: CachedToken | undefined): token is CachedToken => token !== undefined && clock.now() < token.refreshAt;

  const cachedFresh = async (key: string): Promise<CachedToken | undefined> => {
    const token = await cache.get(key);
    return isFresh(token) ? token : undefined;
  };

  const exchangeToken = async (
    context: AuthContext,
    endpoint: TokenEndpoint,
    scopes: readonly string[],
  ): Promise<IssuedToken> => {
    const exchange: TokenExchange = {
      http: context.http,
      endpoint,
      scopes,
      clientId,
      clientIdOnGet: config.clientId !== undefined,
      now: () => clock.now(),
      refreshMarginMs,
      secrets: secrets(),
    };
    const keepRefreshToken = (issued: IssuedToken): IssuedToken => {
      if (issued.refreshToken !== undefined) {
        refreshToken = issued.refreshToken;
        refreshTokenLearned = refreshTokenLearned || refreshToken !== config.refreshToken;
      }
      return issued;
    };
    let postStatus: number | undefined;
    const canPost = !getOnlyRealms.has(endpoint.realm.href);
    if (refreshToken !== undefined && canPost) {
      const held = refreshToken;
      try {
        const outcome = await postToken(exchange, { type: 'refresh_token', refreshToken: held });
        if ('token' in outcome) return keepRefreshToken(outcome.token);
        postStatus = outcome.unsupported;
        getOnlyRealms.add(endpoint.realm.href);
      } catch (error) {
        // A refresh token we obtained ourselves may be revoked; the password still works.
        const refused = TokenRequestError.isInstance(error) && (error.status === 400 || error.status === 401);
        if (!(refused && refreshTokenLearned && credentials)) throw error;
        if (refreshToken === held) {
          refreshToken = config.refreshToken;
          refreshTokenLearned = false;
        }
      }
    }
    if (config.oauth2 && credentials && !getOnlyRealms.has(endpoint.realm.href)) {
      const outcome = await postToken(exchange, { type: 'password', ...credentials });
      if ('token' in outcome) return keepRefreshToken(outcome.token);
      postStatus = outcome.unsupported;
      getOnlyRealms.add(endpoint.realm.href);
    }
    if (refreshToken !== undefined && !credentials) {
      // Sending a refresh token as a GET password is not in the protocol, and
      // silently falling back to anonymous would hide the problem.
      throw new TokenRequestError(
        `token service ${where(endpoint)} does not accept OAuth2 POST${postStatus ? ` (HTTP ${postStatus})` : ''}, ` +
          'so the refresh token cannot be used; pass username and password instead',
        postStatus,
      );
    }
    return getToken(exchange, credentials);
  };

  /** A fresh token for `key`: from the cache, from a fetch already running, or from a new fetch. */
  const obtain = async (
    context: AuthContext,
    endpoint: TokenEndpoint,
    scopes: readonly string[],
    key: string,
    rejected?: string,
  ): Promise<CachedToken> => {
    const cached = await cachedFresh(key);
    if (cached && cached.token !== rejected) return cached;
    const running = inflight.get(key);
    if (running) {
      try {
        return await untilAborted(running.promise, context.signal);
      } catch (error) {
        // The fetch ran on another caller's signal; its abort is not ours.
        if (!(running.signal?.aborted && !context.signal?.aborted)) throw error;
      }
    }
    const flight: Flight = { signal: context.signal, promise: Promise.resolve(undefined as unknown as CachedToken) };
    inflight.set(key, flight);
    flight.promise = (async () => {
      const issued = await exchangeToken(context, endpoint, scopes);
      const token: CachedToken = { token: issued.token, expiresAt: issued.expiresAt, refreshAt: issued.refreshAt };
      await cache.set(key, token);
      return token;
    })().finally(() => {
      if (inflight.get(key) === flight) inflight.delete(key);
    });
    return flight.promise;
  };

  /** What `handleRequest` would have sent, for a request core did not show us before. */
  const guessSent = async (context: AuthContext): Promise<Sent> => {
    const origin = context.registry.origin;
    if (credentials && basicOrigins.has(origin)) return { kind: 'basic' };
    const endpoint = endpoints.get(origin);
    if (!endpoint) return NONE;
    const scopes = aliases.get(aliasKey(origin, context.scopes)) ?? context.scopes;
    const key = await keyFor(origin, endpoint, scopes);
    const token = await cachedFresh(key);
    return token ? { kind: 'bearer', key, endpoint, scopes, token: token.token } : NONE;
  };

  const stateOf = (request: AuthRequest): RequestState => {
    let state = states.get(request);
    if (!state) {
      state = { sent: undefined, rejections: 0, next: undefined };
      states.set(request, state);
    }
    return state;
  };

  const handleRequest = async (context: AuthContext) => {
    const state = stateOf(context.request);
    const origin = context.registry.origin;
    if (credentials && basicOrigins.has(origin)) {
      state.sent = { kind: 'basic' };
      return { authorization: basicAuthorization(credentials.username, credentials.password) };
    }
    let choice = state.next && isFresh(state.next.token) ? state.next : undefined;
    state.next = undefined;
    if (!choice) {
      const endpoint = endpoints.get(origin);
      if (!endpoint) {
        state.sent = NONE;
        return undefined;
      }
      const scopes = aliases.get(aliasKey(origin, context.scopes)) ?? context.scopes;
      const key = await keyFor(origin, endpoint, scopes);
      let token = await cachedFresh(key);
      if (!token && prefetch) {
        try {
          token = await obtain(context, endpoint, scopes, key);
        } catch (error) {
          // Fetching ahead is an optimisation: on failure the request goes
          // out without a token, and the challenge path reports the error.
          if (context.signal?.aborted) throw context.signal.reason;
          if (InsecureCredentialsError.isInstance(error)) throw error;
        }
      }
      if (!token) {
        state.sent = NONE;
        return undefined;
      }
      choice = { key, endpoint, scopes, token };
    }
    state.sent = { kind: 'bearer', key: choice.key, endpoint: choice.endpoint, scopes: choice.scopes, token: choice.token.token };
    return { authorization: `Bearer ${choice.token.token}` };
  };

  const answerWithoutBearer = (context: AuthResponseContext, sent: Sent): AuthDecision => {
    const origin = context.registry.origin;
    const schemes = [...new Set(context.challenges.map((challenge) => challenge.scheme))];
    if (schemes.includes('basic') && credentials) {
      // The registry uses Basic (htpasswd): answer it, once.
      if (sent.kind === 'basic' || context.resends >= MAX_AUTH_RESENDS) return NO_RESEND;
      basicOrigins.add(origin);
      return RESEND;
    }
    if (sent.kind !== 'none' && schemes.length === 0) return NO_RESEND;
    if (sent.kind === 'basic') return NO_RESEND;
    const found = schemes.length > 0 ? `with ${schemes.join(', ')} challenge(s)` : 'without a challenge';
    const advice = schemes.includes('basic') ? '; pass username and password to answer its Basic challenge' : '';
    throw new AuthTokenNoBearerError(
      `registry ${origin} answered 401 ${found}, but token authentication needs a Bearer challenge${advice}`,
    );
  };

  const handleResponse = async (context: AuthResponseContext): Promise<AuthDecision> => {
    if (context.response.status !== 401) return NO_RESEND;
    const origin = context.registry.origin;
    const state = stateOf(context.request);
    const sent = state.sent ?? (await guessSent(context));
    const bearer = context.challenges.find((challenge) => challenge.scheme === 'bearer');
    if (!bearer) return answerWithoutBearer(context, sent);

    const known = endpoints.get(origin);
    const realm = bearer.params.realm ?? known?.realm.href;
    if (realm === undefined) {
      throw new AuthTokenNoBearerError(`registry ${origin} sent a Bearer challenge without a realm`);
    }
    const endpoint: TokenEndpoint = {
      realm: parseRealm(realm, origin),
      service: bearer.params.service ?? (bearer.params.realm === undefined ? known?.service : undefined),
    };
    remember(endpoints, origin, endpoint);
    basicOrigins.delete(origin);

    const challenged = splitScopes(bearer.params.scope);
    // Core's scopes widen the challenge on the same repository: a HEAD before a push is challenged
    // with `pull` alone, and one `pull,push` token then serves the check and the upload.
    const wanted = challenged.length > 0 ? widenScopes(challenged, context.scopes) : [...context.scopes];
    const key = await keyFor(origin, endpoint, wanted);
    let rejected: string | undefined;
    if (sent.kind === 'bearer' && sameEndpoint(sent.endpoint, endpoint) && coversScopes(sent.scopes, wanted)) {
      // We sent a token that was asked for everything the registry wants.
      if (bearer.params.error?.toLowerCase() === 'insufficient_scope') {
        // The token service granted less than asked; asking again gets the same.
        return NO_RESEND;
      }
      rejected = sent.token;
      if ((await cache.get(sent.key))?.token === rejected) await cache.delete(sent.key);
      state.rejections += 1;
      if (state.rejections >= 2) {
        throw new AuthTokenInvalidError(
          `registry ${origin} rejected the token for ${canonicalScopes(wanted).join(' ') || 'no scope'} ` +
            `again after a fresh one was fetched from ${where(endpoint)}: it was revoked, or the registry does not trust the token service`,
        );
      }
    }
    if (context.resends >= MAX_AUTH_RESENDS) return NO_RESEND;
    const token = await obtain(context, endpoint, wanted, key, rejected);
    if (challenged.length > 0 && key !== (await keyFor(origin, endpoint, context.scopes))) {
      remember(aliases, aliasKey(origin, context.scopes), wanted);
    }
    state.next = { key, endpoint, scopes: wanted, token };
    return RESEND;
  };

  const describe = 'TokenAuthenticator';
  return Object.freeze({
    specificationVersion: 'v1' as const,
    name: 'token',
    handleRequest,
    handleResponse,
    toString: () => describe,
    toJSON: () => ({ specificationVersion: 'v1', name: 'token' }),
    [Symbol.for('nodejs.util.inspect.custom')]: () => `${describe} { name: 'token' }`,
  });
}
