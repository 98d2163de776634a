import { TokenRequestError } from '@regkit/core';
import { type AuthHttpClient, type AuthHttpResponse, basicAuthorization } from '@regkit/core/spec';
import type { CachedToken } from './token-cache';

/** Cap on a token response body; tokens are a few KiB at most. */
export const TOKEN_BODY_LIMIT = 1024 * 1024;
/** The token spec's default when `expires_in` is absent. */
const DEFAULT_LIFETIME_MS = 60_000;
/** Longer claimed lifetimes are cut to this, so a stale token is re-fetched at least daily. */
const MAX_LIFETIME_MS = 24 * 60 * 60 * 1000;
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
const CONTROL_RUNS = /[\u0000-\u001f\u007f]+/g;

/** A token service, as a `Bearer` challenge names it. */
export interface TokenEndpoint {
  /** The realm, already checked by `checkTokenRealm`. */
  readonly realm: URL;
  /** The `service` parameter, when the challenge had one. */
  readonly service: string | undefined;
}

/** Everything one token exchange needs besides the credential. */
export interface TokenExchange {
  readonly http: AuthHttpClient;
  readonly endpoint: TokenEndpoint;
  /** The scopes to ask for, as the registry spelled them. */
  readonly scopes: readonly string[];
  readonly clientId: string;
  /** Also send `client_id` on GET requests (only when the user chose one). */
  readonly clientIdOnGet: boolean;
  readonly now: () => number;
  readonly refreshMarginMs: number;
  /** Strings to scrub from anything the token service says back. */
  readonly secrets: readonly string[];
}

/** What a GET token request authenticates with. */
export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

/** What an OAuth2 POST token request authenticates with. */
export type OAuthGrant =
  | { readonly type: 'password'; readonly username: string; readonly password: string }
  | { readonly type: 'refresh_token'; readonly refreshToken: string };

/** A token fresh from the service. */
export interface IssuedToken extends CachedToken {
  /** A refresh token, when the service returned one. */
  readonly refreshToken?: string;
}

/** The answer of a POST, or the status that says the service only speaks GET. */
export type PostOutcome = { readonly token: IssuedToken } | { readonly unsupported: number };

function where(endpoint: TokenEndpoint): string {
  return `${endpoint.realm.origin}${endpoint.realm.pathname}`;
}

/** `GET realm?service=…&scope=…&scope=…`, with Basic credentials when given. */
export async function getToken(exchange: TokenExchange, credentials: BasicCredentials | undefined): Promise<IssuedToken> {
  const url = new URL(exchange.endpoint.realm);
  if (exchange.endpoint.service !== undefined) url.searchParams.append('service', exchange.endpoint.service);
  // One parameter per scope: Docker Hub ignores all but the first of a space-joined list (ggcr#1312).
  for (const scope of exchange.scopes) url.searchParams.append('scope', scope);
  if (exchange.clientIdOnGet) url.searchParams.append('client_id', exchange.clientId);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (credentials) headers.authorization = basicAuthorization(credentials.username, credentials.password);
  const response = await exchange.http.send({ method: 'GET', url: url.toString(), headers, maxBodyBytes: TOKEN_BODY_LIMIT });
  return readTokenResponse(response, exchange, credentials !== undefined);
}

/**
 * The OAuth2 flow of distribution's `oauth.md`: one form POST with the scopes
 * space-joined in a single field. A 404 or 405 means the service only speaks
 * GET (Harbor, older servers); the caller falls back.
 */
export async function postToken(exchange: TokenExchange, grant: OAuthGrant): Promise<PostOutcome> {
  const form = new URLSearchParams();
  form.append('grant_type', grant.type);
  if (grant.type === 'password') {
    form.append('username', grant.username);
    form.append('password', grant.password);
  } else {
    form.append('refresh_token', grant.refreshToken);
  }
  if (exchange.endpoint.service !== undefined) form.append('service', exchange.endpoint.service);
  form.append('client_id', exchange.clientId);
  form.append('access_type', 'offline');
  if (exchange.scopes.length > 0) form.append('scope', exchange.scopes.join(' '));
  const response = await exchange.http.send({
    method: 'POST',
    url: exchange.endpoint.realm.toString(),
    headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
    body: new TextEncoder().encode(form.toString()),
    maxBodyBytes: TOKEN_BODY_LIMIT,
  });
  if (response.status === 404 || response.status === 405) return { unsupported: response.status };
  return { token: readTokenResponse(response, exchange, true) };
}

function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(body));
  } catch {
    return undefined;
  }
}

function scrub(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) if (secret !== '') result = result.split(secret).join('[REDACTED]');
  return result;
}

/** A short reason from an error body (`error_description`, `details`, `message`, OCI `errors[0].message`). */
function reasonOf(json: unknown, secrets: readonly string[]): string {
  if (typeof json !== 'object' || json === null) return '';
  const body = json as Record<string, unknown>;
  const first = Array.isArray(body.errors) ? (body.errors[0] as Record<string, unknown> | undefined) : undefined;
  const candidates = [body.error_description, body.details, body.message, first?.message, body.error];
  const text = candidates.find((value): value is string => typeof value === 'string' && value.trim() !== '');
  // Scrubbing a secret of a few characters would mangle the text and still
  // hint at it; quote nothing then.
  if (!text || secrets.some((secret) => secret.length < 4)) return '';
  const clean = scrub(text, secrets).replace(CONTROL_RUNS, ' ').trim();
  return `: ${clean.length > 200 ? `${clean.slice(0, 200)}…` : clean}`;
}

function lifetimeOf(value: unknown): number {
  const seconds =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value)
        ? Number(value)
        : Number.NaN;
  if (!Number.isFinite(seconds) || seconds <= 0) return DEFAULT_LIFETIME_MS;
  return Math.min(seconds * 1000, MAX_LIFETIME_MS);
}

/**
 * `issued_at` is honoured when it is plausible by our clock. A skewed server
 * clock would otherwise make every token look expired on arrival (or live
 * forever), so anything in the future or older than the lifetime counts from
 * now, as the spec says for an absent `issued_at`.
 */
function issuedAtOf(value: unknown, now: number, lifetimeMs: number): number {
  if (typeof value !== 'string') return now;
  const issuedAt = Date.parse(value);
  if (!Number.isFinite(issuedAt) || issuedAt > now || issuedAt < now - lifetimeMs) return now;
  return issuedAt;
}

function readTokenResponse(response: AuthHttpResponse, exchange: TokenExchange, sentCredentials: boolean): IssuedToken {
  const json = parseJson(response.body);
  if (response.status < 200 || response.status >= 300) {
    const hint =
      (response.status === 401 || response.status === 403) && sentCredentials
        ? ' (the token service rejected the credentials)'
        : '';
    throw new TokenRequestError(
      `token request to ${where(exchange.endpoint)} failed with HTTP ${response.status}${hint}${reasonOf(json, exchange.secrets)}`,
      response.status,
    );
  }
  if (typeof json !== 'object' || json === null) {
    throw new TokenRequestError(`token response from ${where(exchange.endpoint)} is not a JSON object`, response.status);
  }
  const body = json as Record<string, unknown>;
  // The spec allows either name; `token` first, as Docker's client does.
  const token = [body.token, body.access_token].find((value): value is string => typeof value === 'string' && value !== '');
  if (token === undefined) {
    throw new TokenRequestError(
      `token response from ${where(exchange.endpoint)} has neither "token" nor "access_token"`,
      response.status,
    );
  }
  if (!VISIBLE_ASCII.test(token)) {
    // It goes into a header; never echo it.
    throw new TokenRequestError(`token response from ${where(exchange.endpoint)} carries a malformed token`, response.status);
  }
  const now = exchange.now();
  const lifetimeMs = lifetimeOf(body.expires_in);
  const expiresAt = issuedAtOf(body.issued_at, now, lifetimeMs) + lifetimeMs;
  const refreshAt = expiresAt - Math.min(exchange.refreshMarginMs, lifetimeMs / 2);
  const refreshToken = typeof body.refresh_token === 'string' && body.refresh_token !== '' ? body.refresh_token : undefined;
  return refreshToken === undefined ? { token, expiresAt, refreshAt } : { token, expiresAt, refreshAt, refreshToken };
}
