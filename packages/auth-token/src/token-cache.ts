import { InvalidOptionError } from '@regkit/core';
import { canonicalScopes } from '@regkit/core/spec';

/** A token as the cache stores it. */
export interface CachedToken {
  /** The bearer token, sent as `Authorization: Bearer <token>`. */
  readonly token: string;
  /** When the token service says it expires, in epoch milliseconds. */
  readonly expiresAt: number;
  /** When to stop using it and fetch a new one (expiry minus the refresh margin), epoch milliseconds. */
  readonly refreshAt: number;
}

/**
 * Where the token authenticator keeps tokens. One cache may be shared by
 * several authenticators and registries.
 *
 * Keys are opaque strings built by the authenticator; an implementation
 * stores and compares them, never builds or parses them. Each key already
 * holds everything that decides who may use a token: the origin of the
 * registry it was obtained for, the token realm and service, the canonical
 * scope set, and the credential identity (the username and password, or the
 * refresh token, under an HMAC with a random per-process key; anonymous
 * tokens have their own identity). So a token is found only by the same
 * credential for the same registry: two authenticators with one username and
 * different passwords never see each other's tokens, a registry that names
 * another registry's realm never receives that registry's token, and
 * deleting one registry's rejected token leaves the others alone. Keys hold
 * no secret, but the values are live tokens: do not log a cache's contents.
 *
 * Because the HMAC key is per process, a cache shared between processes (in
 * Redis, say) does not share tokens across them; each process fills its own
 * entries, which expire with their tokens.
 *
 * Methods may be synchronous or async. The authenticator checks expiry
 * itself and de-duplicates concurrent fetches, so an implementation only
 * stores values.
 */
export interface TokenCache {
  /** The token stored under `key`, if any (expired or not). */
  get(key: string): CachedToken | undefined | Promise<CachedToken | undefined>;
  /** Stores `token` under `key`, replacing what was there. */
  set(key: string, token: CachedToken): void | Promise<void>;
  /** Forgets the token under `key`. */
  delete(key: string): void | Promise<void>;
}

/** What a token cache key is made of. */
export interface TokenCacheKeyParts {
  /** The registry origin that obtained the token, e.g. `https://ghcr.io`. */
  readonly origin: string;
  /** The token realm, as checked. */
  readonly realm: string;
  /** The challenge's `service`, when it had one. */
  readonly service: string | undefined;
  /** The scopes the token was asked for, in any order. */
  readonly scopes: readonly string[];
  /** The credential identity, from `credentialIdentity` (never a secret). */
  readonly identity: string;
}

/** The opaque key a {@link TokenCache} receives. */
export function tokenCacheKey(parts: TokenCacheKeyParts): string {
  return JSON.stringify(['v1', parts.origin, parts.realm, parts.service ?? null, canonicalScopes(parts.scopes), parts.identity]);
}

/** Options of {@link createMemoryTokenCache}. */
export interface MemoryTokenCacheOptions {
  /** Most tokens kept; the least recently used go first. Default 1000. */
  readonly maxEntries?: number;
}

/**
 * An in-memory {@link TokenCache} with least-recently-used eviction. Each
 * token authenticator creates its own unless given one.
 *
 * @example Share one cache between two authenticators
 * ```ts
 * const cache = createMemoryTokenCache({ maxEntries: 100 });
 * const hub = createTokenAuthenticator({ cache });
 * const ghcr = createTokenAuthenticator({ cache, username: 'me', password: process.env.GHCR_TOKEN });
 * ```
 */
export function createMemoryTokenCache(options: MemoryTokenCacheOptions = {}): TokenCache {
  const maxEntries = options.maxEntries ?? 1000;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new InvalidOptionError('maxEntries', '@regkit/auth-token: maxEntries must be a positive integer');
  }
  const entries = new Map<string, CachedToken>();
  return Object.freeze({
    get(key: string) {
      const token = entries.get(key);
      if (token) {
        // Re-insert to mark it recently used; Map keeps insertion order.
        entries.delete(key);
        entries.set(key, token);
      }
      return token;
    },
    set(key: string, token: CachedToken) {
      entries.delete(key);
      entries.set(key, token);
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next().value as string;
        entries.delete(oldest);
      }
    },
    delete(key: string) {
      entries.delete(key);
    },
    toString: () => 'MemoryTokenCache',
    toJSON: () => ({ type: 'MemoryTokenCache', size: entries.size }),
    [Symbol.for('nodejs.util.inspect.custom')]: () => `MemoryTokenCache { size: ${entries.size} }`,
  });
}
