import { InvalidOptionError } from '@regkit/core';

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
 * Where the token authenticator keeps tokens. Keys are opaque strings built
 * from the realm, the service, the sorted scope set and a hash of the
 * username (never a password), so one cache may be shared by several
 * authenticators and registries. Methods may be synchronous or async (for a
 * cache in Redis, say). The authenticator checks expiry itself and de-duplicates
 * concurrent fetches, so an implementation only stores values.
 *
 * A cache holds live credentials: do not log its contents.
 */
export interface TokenCache {
  /** The token stored under `key`, if any (expired or not). */
  get(key: string): CachedToken | undefined | Promise<CachedToken | undefined>;
  /** Stores `token` under `key`, replacing what was there. */
  set(key: string, token: CachedToken): void | Promise<void>;
  /** Forgets the token under `key`. */
  delete(key: string): void | Promise<void>;
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
