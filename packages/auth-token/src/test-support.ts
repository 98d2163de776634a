/**
 * Test doubles for the token authenticator: a fake token service (an
 * `AuthHttpClient`), a fake registry that checks the tokens it issued, and a
 * driver that sends requests through a real `Registry`, so core's own auth
 * loop drives the authenticator.
 */
import { Registry, RegistryResponseError } from '@regkit/core';
import {
  type Authenticator,
  type AuthHttpClient,
  type AuthHttpRequest,
  type AuthHttpResponse,
  type HeaderMap,
  type HttpMethod,
  parseScope,
  type RegistryTarget,
  type Transport,
  type TransportRequest,
} from '@regkit/core/spec';

export const REALM = 'https://auth.example.test/token';
export const SERVICE = 'registry.example.test';
export const TARGET: RegistryTarget = Object.freeze({
  origin: 'https://registry.example.test',
  host: 'registry.example.test',
  protocol: 'https',
  plaintextAllowed: false,
});

const encoder = new TextEncoder();

export interface FakeTokenServiceOptions {
  /** Accepted username → password. */
  readonly users?: Record<string, string>;
  /** `expires_in` to return; `null` omits it. Default 300. */
  readonly expiresIn?: number | null;
  /** Which field carries the token. Default `token`. */
  readonly tokenField?: 'token' | 'access_token';
  /** How POST is answered: the OAuth2 flow, or a status. Default `oauth`. */
  readonly post?: 'oauth' | 404 | 405;
  /** `issued_at` to return, if any. */
  readonly issuedAt?: () => string | undefined;
  /** Actions granted per resource; default: everything asked, except `registry:catalog` for anonymous users. */
  readonly grant?: (
    user: string | undefined,
    scope: { type: string; name: string; actions: readonly string[] },
  ) => readonly string[];
  /** Answer with this status and body instead of a token. */
  readonly fail?: { readonly status: number; readonly body: string };
  /** Held until resolved, to make concurrent fetches overlap. */
  readonly gate?: Promise<void>;
}

export interface IssuedRecord {
  readonly user: string | undefined;
  readonly access: Map<string, Set<string>>;
  revoked: boolean;
}

export interface TokenRequestRecord {
  readonly request: AuthHttpRequest;
  readonly url: URL;
  /** GET query, or POST form. */
  readonly params: URLSearchParams;
  /** The Basic user, when credentials came in the header. */
  readonly basicUser: string | undefined;
}

function decodeBasic(header: string | undefined): { user: string; password: string } | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const binary = atob(header.slice(6));
  const text = new TextDecoder().decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
  const colon = text.indexOf(':');
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

function json(status: number, body: unknown, url: string): AuthHttpResponse {
  return { status, headers: { 'content-type': 'application/json' }, url, body: encoder.encode(JSON.stringify(body)) };
}

/** A token service and the registry that trusts it. */
export function createFakeWorld(options: FakeTokenServiceOptions = {}) {
  const requests: TokenRequestRecord[] = [];
  const issued = new Map<string, IssuedRecord>();
  let counter = 0;
  let refreshCounter = 0;
  const refreshTokens = new Map<string, string | undefined>();

  const issue = (user: string | undefined, scopes: readonly string[], url: string, withRefresh: boolean): AuthHttpResponse => {
    const access = new Map<string, Set<string>>();
    for (const scope of scopes) {
      const parsed = parseScope(scope);
      if (!parsed) {
        access.set(scope, new Set(['*']));
        continue;
      }
      const granted = options.grant
        ? options.grant(user, parsed)
        : parsed.type === 'registry' && user === undefined
          ? []
          : parsed.actions;
      const resource = `${parsed.type}:${parsed.name}`;
      const actions = access.get(resource) ?? new Set<string>();
      for (const action of granted) actions.add(action);
      access.set(resource, actions);
    }
    counter += 1;
    const token = `secret-token-${counter}`;
    issued.set(token, { user, access, revoked: false });
    const body: Record<string, unknown> = { [options.tokenField ?? 'token']: token };
    if (options.expiresIn !== null) body.expires_in = options.expiresIn ?? 300;
    const issuedAt = options.issuedAt?.();
    if (issuedAt !== undefined) body.issued_at = issuedAt;
    if (withRefresh) {
      refreshCounter += 1;
      const refresh = `secret-refresh-${refreshCounter}`;
      refreshTokens.set(refresh, user);
      body.refresh_token = refresh;
    }
    return json(200, body, url);
  };

  const http: AuthHttpClient = {
    async send(request) {
      const url = new URL(request.url);
      const basic = decodeBasic(request.headers.authorization);
      const params =
        request.method === 'POST' && request.body instanceof Uint8Array
          ? new URLSearchParams(new TextDecoder().decode(request.body))
          : url.searchParams;
      requests.push({ request, url, params, basicUser: basic?.user });
      await options.gate;
      if (options.fail) {
        return { status: options.fail.status, headers: {}, url: request.url, body: encoder.encode(options.fail.body) };
      }
      if (request.method === 'POST') {
        if (options.post === 404 || options.post === 405) return json(options.post, { details: 'not here' }, request.url);
        const grant = params.get('grant_type');
        const scopes = (params.get('scope') ?? '').split(' ').filter(Boolean);
        if (grant === 'password') {
          const user = params.get('username') ?? '';
          if (options.users?.[user] !== params.get('password')) return json(401, { error: 'invalid_grant' }, request.url);
          return issue(user, scopes, request.url, params.get('access_type') === 'offline');
        }
        if (grant === 'refresh_token') {
          const refresh = params.get('refresh_token') ?? '';
          if (!refreshTokens.has(refresh)) return json(401, { error: 'invalid_grant' }, request.url);
          return issue(refreshTokens.get(refresh), scopes, request.url, false);
        }
        return json(400, { error: 'unsupported_grant_type' }, request.url);
      }
      if (basic && options.users?.[basic.user] !== basic.password) {
        return json(401, { details: 'incorrect username or password' }, request.url);
      }
      return issue(basic?.user, url.searchParams.getAll('scope'), request.url, false);
    },
  };

  /** Seeds a refresh token the service accepts. */
  const addRefreshToken = (refresh: string, user: string | undefined) => refreshTokens.set(refresh, user);

  const challenge = (scopes: readonly string[], error?: string): string =>
    `Bearer realm="${REALM}",service="${SERVICE}"${scopes.length ? `,scope="${scopes.join(' ')}"` : ''}${error ? `,error="${error}"` : ''}`;

  /** The registry: 200 when the request's bearer token grants every needed scope, 401 with a challenge otherwise. */
  const respond = (headers: HeaderMap, needed: readonly string[]): FakeResponse => {
    const authorization = headers.authorization;
    if (!authorization?.startsWith('Bearer ')) return { status: 401, headers: { 'www-authenticate': challenge(needed) } };
    const record = issued.get(authorization.slice(7));
    if (!record || record.revoked) return { status: 401, headers: { 'www-authenticate': challenge(needed, 'invalid_token') } };
    const allowed = needed.every((scope) => {
      const parsed = parseScope(scope);
      if (!parsed) return record.access.has(scope);
      const actions = record.access.get(`${parsed.type}:${parsed.name}`);
      return parsed.actions.every((action) => actions?.has(action) || actions?.has('*'));
    });
    return allowed
      ? { status: 200, headers: {} }
      : { status: 401, headers: { 'www-authenticate': challenge(needed, 'insufficient_scope') } };
  };

  return { http, requests, issued, respond, challenge, addRefreshToken };
}

export type FakeWorld = ReturnType<typeof createFakeWorld>;

export interface FakeResponse {
  readonly status: number;
  readonly headers: HeaderMap;
}

export interface DriveOptions {
  readonly method?: HttpMethod;
  readonly path?: string;
  readonly scopes?: readonly string[];
  /** The registry; its `origin` and `protocol` make the `Registry` the request goes through. */
  readonly target?: RegistryTarget;
  /** The token service: every request to an origin other than the registry's. */
  readonly http: AuthHttpClient;
  readonly signal?: AbortSignal;
  /** The registry; gets the headers sent and the request's scopes. */
  readonly respond: (headers: HeaderMap, scopes: readonly string[]) => FakeResponse | Promise<FakeResponse>;
}

export interface DriveResult {
  readonly status: number;
  /** The `authorization` header of each attempt (undefined when none). */
  readonly authorizations: readonly (string | undefined)[];
}

async function bytesOf(body: TransportRequest['body']): Promise<Uint8Array | undefined> {
  if (body === undefined || body === null || body instanceof Uint8Array) return body ?? undefined;
  return new Uint8Array(await new Response(body as BodyInit).arrayBuffer());
}

/**
 * A transport over the fake world: requests to the registry origin go to
 * `respond`, every other origin to the fake token service.
 */
function worldTransport(
  options: DriveOptions,
  target: RegistryTarget,
  scopes: readonly string[],
  authorizations: (string | undefined)[],
): Transport {
  return {
    specificationVersion: 'v1',
    name: 'fake-world',
    async send(request) {
      const headers: HeaderMap = { ...request.headers };
      if (new URL(request.url).origin === target.origin) {
        authorizations.push(headers.authorization);
        const answer = await options.respond(headers, scopes);
        return { status: answer.status, headers: { ...answer.headers }, url: request.url, body: null };
      }
      const body = await bytesOf(request.body);
      const answer = await options.http.send({ method: request.method, url: request.url, headers, ...(body ? { body } : {}) });
      return {
        status: answer.status,
        headers: { ...answer.headers },
        url: request.url,
        body: new Response(answer.body as BodyInit).body,
      };
    },
  };
}

/**
 * Runs one request through the authenticator with core's own auth loop: a
 * real `Registry` over {@link worldTransport}, so these tests cannot drift
 * from core. A final non-2xx answer is returned as its status.
 */
export async function drive(authenticator: Authenticator, options: DriveOptions): Promise<DriveResult> {
  const target = options.target ?? TARGET;
  const scopes = options.scopes ?? ['repository:library/alpine:pull'];
  const authorizations: (string | undefined)[] = [];
  const registry = new Registry({
    domain: target.host,
    protocol: target.protocol,
    transport: worldTransport(options, target, scopes, authorizations),
    authenticator,
    retry: { limit: 0 },
  });
  try {
    await registry.requester.send({
      method: options.method ?? 'GET',
      url: options.path ?? '/v2/library/alpine/manifests/latest',
      scopes,
      signal: options.signal,
    });
    return { status: 200, authorizations };
  } catch (error) {
    if (RegistryResponseError.isInstance(error)) return { status: error.status, authorizations };
    throw error;
  }
}

/** A clock the test moves by hand. */
export function manualClock(start = Date.parse('2026-01-01T00:00:00Z')) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}
