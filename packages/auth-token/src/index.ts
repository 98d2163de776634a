/**
 * `@regkit/auth-token` — Docker token authentication (Docker Hub, GHCR,
 * Quay, Harbor, GitLab, distribution `auth.token`) for `@regkit/core`.
 *
 * @packageDocumentation
 */

export type { Clock, TokenAuthenticatorOptions } from './options';
export { createTokenAuthenticator } from './token-authenticator';
export { type CachedToken, createMemoryTokenCache, type MemoryTokenCacheOptions, type TokenCache } from './token-cache';
