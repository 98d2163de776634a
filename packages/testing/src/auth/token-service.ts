import { randomBytes } from 'node:crypto';
import type { DraftResponse } from '../api/responses';
import { jsonDraft, pageNotFound, textDraft } from '../api/responses';
import { recordHeaders, recordUrl } from '../call-log';
import { formatScope, parseResourceScope, type ResourceScope } from '../resource-scope';
import type { AccessRequirement } from './access';
import { readCredentials } from './credentials';
import { type AccessPolicy, authenticate, type FakeUser, grantedActions, type Principal } from './users';

/** Options of the token service in `auth: 'token'` mode. */
export interface FakeTokenServiceOptions {
  /** Origin of the token service (the challenge realm's origin). Default `https://auth.fake.test`. */
  readonly origin?: string;
  /** Path of the token endpoint. Default `/token`. */
  readonly path?: string;
  /** The `service` in challenges, which token requests must repeat. Default: the registry's host. */
  readonly service?: string;
  /** Token lifetime in seconds (`expires_in`). Default 300. */
  readonly expiresIn?: number;
  /** Milliseconds since the epoch; inject to test expiry. Default `Date.now`. */
  readonly clock?: () => number;
  /**
   * How the endpoint answers the OAuth2 POST flow: `oauth` (default)
   * implements it; `method-not-allowed` answers 405 as Harbor does;
   * `not-found` answers 404, after which clients should fall back to GET.
   */
  readonly post?: 'oauth' | 'method-not-allowed' | 'not-found';
  /** Hand out tokens to callers without credentials. Default true. */
  readonly anonymous?: boolean;
}

/** How a token request identified itself. */
export type TokenGrant = 'anonymous' | 'basic' | 'password' | 'refresh_token';

/** One request to the token service, recorded for assertions. */
export interface TokenCall {
  /** `GET` (Docker token flow) or `POST` (OAuth2 form flow). */
  readonly method: string;
  /** The full request URL. */
  readonly url: string;
  /** Request headers, lower-case, credentials redacted (`authorization: Basic <redacted>`). */
  readonly headers: Readonly<Record<string, string>>;
  /** How the caller identified itself; `undefined` when the request was refused before that. */
  readonly grant: TokenGrant | undefined;
  /** The authenticated user, or `null`. */
  readonly username: string | null;
  /** The `service` parameter as sent. */
  readonly service: string | undefined;
  /** Scopes asked for, one entry per scope, as sent. */
  readonly scopes: readonly string[];
  /** Scopes granted (only the allowed actions), e.g. `repository:library/golang:pull`. */
  readonly granted: readonly string[];
  /** True when a refresh token was asked for (`offline_token=true` / `access_type=offline`). */
  readonly offline: boolean;
  /** The status answered. */
  readonly status: number;
}

interface IssuedToken {
  readonly username: string | null;
  readonly access: ReadonlyMap<string, ReadonlySet<string>>;
  /** The granted scopes as answered, e.g. `repository:library/golang:pull`. */
  readonly scopes: readonly string[];
  readonly expiresAt: number;
}

/** The outcome of checking a bearer token against what a request needs. */
export type TokenVerdict = 'ok' | 'invalid_token' | 'insufficient_scope';

interface TokenRequest {
  readonly grant: TokenGrant | undefined;
  readonly principal: Principal;
  readonly service: string | undefined;
  readonly scopes: readonly string[];
  readonly offline: boolean;
  /** The refresh token redeemed, for a refresh grant. */
  readonly refreshToken?: string;
}

/** Settings the service runs with, after defaults. */
export interface TokenServiceSettings {
  readonly origin: string;
  readonly path: string;
  readonly service: string;
  readonly expiresIn: number;
  readonly clock: () => number;
  readonly post: 'oauth' | 'method-not-allowed' | 'not-found';
  readonly anonymous: boolean;
  readonly users: readonly FakeUser[];
  readonly policy: AccessPolicy;
}

function details(status: number, message: string): DraftResponse {
  // Docker Hub's token service answers errors as {"details": "..."}.
  return jsonDraft(status, { details: message });
}

function oauthError(status: number, error: string, description: string): DraftResponse {
  return jsonDraft(status, { error, error_description: description });
}

function accessKey(type: string, name: string): string {
  return `${type}:${name}`;
}

/**
 * A Docker Hub-like token service: GET with `service` and repeated `scope`
 * (optionally with Basic credentials), and the OAuth2 POST form flow with
 * password and refresh-token grants. Tokens are opaque random strings held in
 * memory with an expiry; the registry side checks them with {@link verify}.
 */
export class TokenService {
  readonly settings: TokenServiceSettings;
  readonly calls: TokenCall[] = [];
  readonly #tokens = new Map<string, IssuedToken>();
  readonly #refreshTokens = new Map<string, string>();

  constructor(settings: TokenServiceSettings) {
    this.settings = settings;
  }

  /** Forgets every access and refresh token issued so far. */
  revoke(): void {
    this.#tokens.clear();
    this.#refreshTokens.clear();
  }

  /** Checks a bearer token for a request that needs `requirement` (`null`: any valid token). */
  verify(token: string, requirement: AccessRequirement | null): TokenVerdict {
    const issued = this.#tokens.get(token);
    if (issued === undefined || this.settings.clock() >= issued.expiresAt) return 'invalid_token';
    if (requirement === null) return 'ok';
    const granted = issued.access.get(accessKey(requirement.type, requirement.name));
    return requirement.actions.every((action) => granted?.has(action) || granted?.has('*')) ? 'ok' : 'insufficient_scope';
  }

  /** Who a token was issued to and what it grants, expired or not; `undefined` for unknown or revoked tokens. */
  describe(token: string): { readonly username: string | null; readonly scopes: readonly string[] } | undefined {
    const issued = this.#tokens.get(token);
    return issued === undefined ? undefined : { username: issued.username, scopes: issued.scopes };
  }

  /** Records a token request that an injected fault answered before the service saw it. */
  recordFaulted(request: Request, url: URL, status: number): void {
    this.calls.push({
      method: request.method.toUpperCase(),
      url: recordUrl(url),
      headers: recordHeaders(request.headers),
      grant: undefined,
      username: null,
      service: url.searchParams.get('service') ?? undefined,
      scopes: url.searchParams.getAll('scope'),
      granted: [],
      offline: false,
      status,
    });
  }

  /** Answers a request to the token endpoint's origin and records it. */
  async handle(request: Request, url: URL): Promise<DraftResponse> {
    if (url.pathname !== this.settings.path) return pageNotFound();
    const method = request.method.toUpperCase();
    let parsed: TokenRequest | DraftResponse;
    if (method === 'GET') parsed = this.#readGet(request, url);
    else if (method === 'POST') parsed = await this.#readPost(request);
    else parsed = textDraft(405, 'Method not allowed', { Allow: 'GET, POST' });
    const blank = { grant: undefined, username: null, service: undefined, scopes: [], granted: [], offline: false } as const;
    if ('status' in parsed) {
      this.calls.push({ ...blank, method, url: recordUrl(url), headers: recordHeaders(request.headers), status: parsed.status });
      return parsed;
    }
    const { response, granted } = this.#issue(parsed, method);
    this.calls.push({
      method,
      url: recordUrl(url),
      headers: recordHeaders(request.headers),
      grant: parsed.grant,
      username: parsed.principal?.username ?? null,
      service: parsed.service,
      scopes: parsed.scopes,
      granted,
      offline: parsed.offline,
      status: response.status,
    });
    return response;
  }

  #checkService(service: string | undefined, oauth: boolean): DraftResponse | undefined {
    if (service === this.settings.service) return undefined;
    const message = `service must be ${JSON.stringify(this.settings.service)}, got ${JSON.stringify(service ?? null)}`;
    return oauth ? oauthError(400, 'invalid_request', message) : details(400, message);
  }

  #readGet(request: Request, url: URL): TokenRequest | DraftResponse {
    const query = url.searchParams;
    const service = query.get('service') ?? undefined;
    const scopes = query
      .getAll('scope')
      .flatMap((value) => value.split(' '))
      .filter((scope) => scope !== '');
    const offline = query.get('offline_token') === 'true';
    const credentials = readCredentials(request.headers);
    let principal: Principal = null;
    let grant: TokenGrant = 'anonymous';
    if (credentials.scheme === 'basic') {
      const user = authenticate(this.settings.users, credentials.username, credentials.password);
      if (user === undefined) return details(401, 'incorrect username or password');
      principal = user;
      grant = 'basic';
    } else if (!this.settings.anonymous) {
      return details(401, 'authentication required');
    }
    return this.#checkService(service, false) ?? { grant, principal, service, scopes, offline };
  }

  async #readPost(request: Request): Promise<TokenRequest | DraftResponse> {
    if (this.settings.post === 'method-not-allowed') return textDraft(405, 'Method Not Allowed', { Allow: 'GET' });
    if (this.settings.post === 'not-found') return pageNotFound();
    const contentType = request.headers.get('content-type') ?? '';
    if (!contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      return oauthError(400, 'invalid_request', 'body must be application/x-www-form-urlencoded');
    }
    const form = new URLSearchParams(await request.text());
    const service = form.get('service') ?? undefined;
    const scopes = (form.get('scope') ?? '').split(' ').filter((scope) => scope !== '');
    const offline = form.get('access_type') === 'offline';
    if (!form.get('client_id')) return oauthError(400, 'invalid_request', 'client_id is required');
    const serviceError = this.#checkService(service, true);
    if (serviceError) return serviceError;
    switch (form.get('grant_type')) {
      case 'password': {
        const user = authenticate(this.settings.users, form.get('username') ?? '', form.get('password') ?? '');
        if (user === undefined) return oauthError(400, 'invalid_grant', 'incorrect username or password');
        return { grant: 'password', principal: user, service, scopes, offline };
      }
      case 'refresh_token': {
        const refresh = form.get('refresh_token') ?? '';
        const username = this.#refreshTokens.get(refresh);
        const user = this.settings.users.find((candidate) => candidate.username === username);
        if (user === undefined) return oauthError(400, 'invalid_grant', 'unknown or revoked refresh token');
        return { grant: 'refresh_token', principal: user, service, scopes, offline, refreshToken: refresh };
      }
      default:
        return oauthError(400, 'unsupported_grant_type', 'grant_type must be password or refresh_token');
    }
  }

  #issue(request: TokenRequest, method: string): { response: DraftResponse; granted: string[] } {
    const parsedScopes: ResourceScope[] = [];
    for (const scope of request.scopes) {
      // Strict on purpose: an empty action (`pull,`) is a client bug this fake should surface.
      const parsed = parseResourceScope(scope, { emptyActions: 'reject' });
      if (parsed === undefined) {
        const message = `invalid scope ${JSON.stringify(scope)}`;
        return { response: method === 'POST' ? oauthError(400, 'invalid_scope', message) : details(400, message), granted: [] };
      }
      parsedScopes.push(parsed);
    }
    const access = new Map<string, Set<string>>();
    for (const scope of parsedScopes) {
      const actions = grantedActions(request.principal, scope, this.settings.policy);
      if (actions.length === 0) continue;
      const key = accessKey(scope.type, scope.name);
      const set = access.get(key) ?? new Set<string>();
      for (const action of actions) set.add(action);
      access.set(key, set);
    }
    const granted = [...access].map(([key, actions]) => {
      const colon = key.indexOf(':');
      return formatScope({ type: key.slice(0, colon), name: key.slice(colon + 1), actions: [...actions] });
    });
    const token = randomBytes(32).toString('base64url');
    const now = this.settings.clock();
    this.#tokens.set(token, {
      username: request.principal?.username ?? null,
      access,
      scopes: granted,
      expiresAt: now + this.settings.expiresIn * 1000,
    });
    let refreshToken: string | undefined;
    if (request.offline && request.principal !== null) {
      refreshToken = request.refreshToken ?? randomBytes(32).toString('base64url');
      this.#refreshTokens.set(refreshToken, request.principal.username);
    }
    const issuedAt = new Date(now).toISOString();
    if (method === 'POST') {
      // OAuth2 answer: access_token and scope are required; the same refresh token comes back on a refresh grant.
      const body: Record<string, unknown> = {
        access_token: token,
        scope: granted.join(' '),
        expires_in: this.settings.expiresIn,
        issued_at: issuedAt,
      };
      if (refreshToken !== undefined) body.refresh_token = refreshToken;
      return { response: jsonDraft(200, body), granted };
    }
    const body: Record<string, unknown> = {
      token,
      access_token: token,
      expires_in: this.settings.expiresIn,
      issued_at: issuedAt,
    };
    if (refreshToken !== undefined) body.refresh_token = refreshToken;
    return { response: jsonDraft(200, body), granted };
  }
}
