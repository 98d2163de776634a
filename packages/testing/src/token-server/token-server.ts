import { randomBytes, verify } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatScope, parseResourceScope, type ResourceScope } from '../resource-scope';
import { type AccessMap, grantAccess } from './access-map';
import { decodeJwt, type RegistryTokenClaims, type RegistryTokenHeader, signJwt } from './jwt';
import { createSigningKey, type SigningKey } from './signing-key';

/** A user the token server knows. */
export interface TokenServerUser {
  /** Login name; must not contain `:` (it would break Basic credentials). */
  readonly username: string;
  /** Password, checked for Basic and OAuth2 password grants. */
  readonly password: string;
  /** What this user may do; see {@link AccessMap}. */
  readonly access: AccessMap;
}

/** Options for {@link startTokenServer}. */
export interface TokenServerOptions {
  /** The `service` (JWT `aud`) the registry is configured with. Default `regkit-test-registry`. */
  readonly service?: string;
  /** The JWT `iss` the registry is configured with. Default `regkit-test-token-server`. */
  readonly issuer?: string;
  /** Known users. Default none. */
  readonly users?: readonly TokenServerUser[];
  /**
   * What requests without credentials get: an {@link AccessMap} (typically
   * `pull` on public repositories), or `false` to answer them 401. Default
   * `{}`: anonymous tokens with no access, as Docker Hub hands out.
   */
  readonly anonymous?: AccessMap | false;
  /** Token lifetime in seconds. Default 300. */
  readonly expiresIn?: number;
  /**
   * How the JWT header names the signing key: `x5c` (the certificate chain,
   * default) or `kid` (libtrust fingerprint of a key in the root bundle).
   * distribution 2.8 accepts both.
   */
  readonly keyHint?: 'x5c' | 'kid';
  /** Answer the OAuth2 POST flow. When false, POST gets 404 so clients must fall back to GET. Default true. */
  readonly acceptPost?: boolean;
  /** When set, the root certificate PEM is written to this path (and rewritten by `revoke()`). */
  readonly rootCertFile?: string;
  /** Milliseconds since the epoch used for `iat`/`nbf`/`exp`/`issued_at`. Default `Date.now`. */
  readonly clock?: () => number;
  /** Loopback port to listen on. Default 0 (any free port). */
  readonly port?: number;
}

/** One call the token server answered, recorded for assertions. */
export interface TokenRequestRecord {
  /** `GET` (Docker token flow) or `POST` (OAuth2 form flow). */
  readonly method: string;
  /** How the caller identified itself. */
  readonly grant: 'anonymous' | 'basic' | 'password' | 'refresh_token' | 'invalid';
  /** The authenticated user; `null` for anonymous or rejected calls. */
  readonly username: string | null;
  /** The `service` parameter as sent (`undefined` when absent). */
  readonly service: string | undefined;
  /** The `client_id` parameter as sent. */
  readonly clientId: string | undefined;
  /** Scopes asked for, as sent. */
  readonly scopes: readonly string[];
  /** Scopes granted, formatted `type:name:actions`. Empty for refused calls. */
  readonly granted: readonly string[];
  /** Whether a refresh token was asked for (`offline_token=true` / `access_type=offline`). */
  readonly offline: boolean;
  /** The HTTP status answered. */
  readonly status: number;
}

/** Outcome of {@link TokenServer.verifyToken}. */
export type TokenVerification = ValidToken | InvalidToken;

/** A token the registry would accept. */
export interface ValidToken {
  /** Discriminates {@link TokenVerification}. */
  readonly valid: true;
  /** Its claims. */
  readonly claims: RegistryTokenClaims;
}

/** A token the registry would refuse. */
export interface InvalidToken {
  /** Discriminates {@link TokenVerification}. */
  readonly valid: false;
  /** Why, e.g. `expired` or `bad signature`. */
  readonly reason: string;
}

/** A running token server. */
export interface TokenServer {
  /** The token endpoint URL, e.g. `http://127.0.0.1:41234/token`: the registry's `auth.token.realm`. */
  readonly realm: string;
  /** The registry's `auth.token.service` (JWT `aud`). */
  readonly service: string;
  /** The registry's `auth.token.issuer` (JWT `iss`). */
  readonly issuer: string;
  /** PEM of the current signing certificate: the registry's `rootcertbundle` content. Changes on `revoke()`. */
  readonly rootCertPem: string;
  /** Where the PEM was written, when `rootCertFile` was given. */
  readonly rootCertPath: string | undefined;
  /** Every call answered so far, oldest first (a live array). */
  readonly tokenRequests: readonly TokenRequestRecord[];
  /** Forgets the recorded calls. */
  clearTokenRequests(): void;
  /**
   * Rotates the signing key and certificate so every token issued before
   * fails verification (refresh tokens stay valid). A registry loads its
   * `rootcertbundle` once at start-up, so a real registry must be restarted
   * to trust the new certificate.
   */
  revoke(): Promise<void>;
  /**
   * Checks a token the way distribution 2.8 does: signature by the current
   * key, `iss`, `aud` (a string), and `exp`/`nbf` with 60 s leeway against
   * the server clock. For fake registries and assertions.
   */
  verifyToken(token: string): TokenVerification;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

const PACKAGE = '@regkit/testing';
const REALM_PATH = '/token';
const MAX_FORM_BYTES = 64 * 1024;
const LEEWAY_SECONDS = 60;

/**
 * Starts a loopback Docker token server (protocol.md §2.3–2.7) whose RS256
 * tokens distribution 2.8 accepts when configured with this server's
 * `realm`, `service`, `issuer` and `rootCertPem` as `rootcertbundle`.
 *
 * @example
 * ```ts
 * const tokens = await startTokenServer({
 *   users: [{ username: 'admin', password: 'secret', access: { '*': ['*'] } }],
 *   anonymous: { 'library/*': ['pull'] },
 *   rootCertFile: '/tmp/reg/token.pem',
 * });
 * // registry config: auth.token { realm: tokens.realm, service: tokens.service,
 * //   issuer: tokens.issuer, rootcertbundle: tokens.rootCertPath }
 * await tokens.close();
 * ```
 */
export async function startTokenServer(options: TokenServerOptions = {}): Promise<TokenServer> {
  const settings = validateOptions(options);
  let key: SigningKey = await createSigningKey(`${settings.issuer} signing key`);
  if (settings.rootCertFile !== undefined) await writeFile(settings.rootCertFile, key.certificatePem);

  const requests: TokenRequestRecord[] = [];
  const refreshTokens = new Map<string, string>();
  const usersByName = new Map(settings.users.map((user) => [user.username, user]));

  const issue = (username: string | null, scopes: readonly ResourceScope[]) => {
    const grants = username === null ? settings.anonymous || {} : (usersByName.get(username)?.access ?? {});
    const access = grantAccess(scopes, grants);
    const nowMs = settings.clock();
    const now = Math.floor(nowMs / 1000);
    const claims: RegistryTokenClaims = {
      iss: settings.issuer,
      sub: username ?? '',
      aud: settings.service,
      exp: now + settings.expiresIn,
      nbf: now,
      iat: now,
      jti: randomBytes(16).toString('hex'),
      access,
    };
    const header: RegistryTokenHeader =
      settings.keyHint === 'kid'
        ? { typ: 'JWT', alg: 'RS256', kid: key.keyId }
        : { typ: 'JWT', alg: 'RS256', x5c: [key.certificateBase64] };
    return {
      token: signJwt(header, claims, key.privateKey),
      access,
      issuedAt: new Date(now * 1000).toISOString().replace('.000Z', 'Z'),
    };
  };

  const newRefreshToken = (username: string) => {
    const token = randomBytes(24).toString('base64url');
    refreshTokens.set(token, username);
    return token;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== REALM_PATH) return sendJson(response, 404, { details: 'not found' });
    if (request.method === 'GET') return handleGet(request, url, response);
    if (request.method === 'POST' && settings.acceptPost) return handlePost(request, response);
    if (request.method === 'POST') return sendJson(response, 404, { details: 'not found' });
    response.setHeader('allow', settings.acceptPost ? 'GET, POST' : 'GET');
    return sendJson(response, 405, { details: 'method not allowed' });
  };

  const handleGet = (request: IncomingMessage, url: URL, response: ServerResponse): void => {
    const scopeStrings = url.searchParams.getAll('scope').filter((scope) => scope !== '');
    const base = {
      method: 'GET',
      service: url.searchParams.get('service') ?? undefined,
      clientId: url.searchParams.get('client_id') ?? undefined,
      scopes: scopeStrings,
      offline: url.searchParams.get('offline_token') === 'true',
    };
    const record = (entry: Omit<TokenRequestRecord, keyof typeof base>) => requests.push({ ...base, ...entry });

    const credentials = parseBasic(request.headers.authorization);
    let username: string | null = null;
    if (credentials === 'invalid' || (credentials !== undefined && !passwordMatches(usersByName, credentials))) {
      record({ grant: 'invalid', username: null, granted: [], status: 401 });
      sendUnauthorized(response, { details: 'incorrect username or password' });
      return;
    }
    if (credentials !== undefined) username = credentials.username;
    else if (settings.anonymous === false) {
      record({ grant: 'anonymous', username: null, granted: [], status: 401 });
      sendUnauthorized(response, { details: 'authentication required' });
      return;
    }
    const grant = username === null ? 'anonymous' : 'basic';
    const problem =
      checkService(base.service, settings.service) ??
      (base.offline && username === null ? 'offline_token needs credentials' : undefined);
    const scopes = problem === undefined ? parseScopes(scopeStrings) : problem;
    if (typeof scopes === 'string') {
      record({ grant, username, granted: [], status: 400 });
      sendJson(response, 400, { details: scopes });
      return;
    }
    const issued = issue(username, scopes);
    record({ grant, username, granted: issued.access.map(formatScope), status: 200 });
    sendJson(response, 200, {
      token: issued.token,
      access_token: issued.token,
      expires_in: settings.expiresIn,
      issued_at: issued.issuedAt,
      ...(base.offline && username !== null ? { refresh_token: newRefreshToken(username) } : {}),
    });
  };

  const handlePost = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    const form = contentType === 'application/x-www-form-urlencoded' ? await readForm(request) : undefined;
    const scopeStrings = (form?.get('scope') ?? '').split(' ').filter((scope) => scope !== '');
    const grantType = form?.get('grant_type') ?? '';
    const base = {
      method: 'POST',
      service: form?.get('service') ?? undefined,
      clientId: form?.get('client_id') ?? undefined,
      scopes: scopeStrings,
      offline: form?.get('access_type') === 'offline',
    };
    const record = (entry: Omit<TokenRequestRecord, keyof typeof base>) => requests.push({ ...base, ...entry });

    if (form === undefined) {
      record({ grant: 'invalid', username: null, granted: [], status: 400 });
      return sendJson(response, 400, {
        error: 'invalid_request',
        error_description: 'expected an application/x-www-form-urlencoded body',
      });
    }
    if (base.service === undefined || base.clientId === undefined) {
      record({ grant: 'invalid', username: null, granted: [], status: 400 });
      return sendJson(response, 400, { error: 'invalid_request', error_description: 'service and client_id are required' });
    }

    let username: string | undefined;
    let refreshToken: string | undefined;
    if (grantType === 'password') {
      const credentials = { username: form.get('username') ?? '', password: form.get('password') ?? '' };
      if (passwordMatches(usersByName, credentials)) username = credentials.username;
    } else if (grantType === 'refresh_token') {
      refreshToken = form.get('refresh_token') ?? '';
      username = refreshTokens.get(refreshToken);
    } else {
      record({ grant: 'invalid', username: null, granted: [], status: 400 });
      return sendJson(response, 400, {
        error: 'unsupported_grant_type',
        error_description: `grant_type "${grantType}" is not supported`,
      });
    }
    if (username === undefined) {
      record({ grant: 'invalid', username: null, granted: [], status: 401 });
      const description = grantType === 'password' ? 'incorrect username or password' : 'unknown refresh token';
      return sendJson(response, 401, { error: 'invalid_grant', error_description: description });
    }
    const grant = grantType === 'password' ? 'password' : 'refresh_token';
    const scopes = checkService(base.service, settings.service) ?? parseScopes(scopeStrings);
    if (typeof scopes === 'string') {
      record({ grant, username, granted: [], status: 400 });
      return sendJson(response, 400, { error: 'invalid_request', error_description: scopes });
    }
    const issued = issue(username, scopes);
    const granted = issued.access.map(formatScope);
    record({ grant, username, granted, status: 200 });
    // With grant_type=refresh_token the same refresh token comes back (oauth.md).
    const refresh = base.offline ? (refreshToken ?? newRefreshToken(username)) : undefined;
    sendJson(response, 200, {
      access_token: issued.token,
      scope: granted.join(' '),
      expires_in: settings.expiresIn,
      issued_at: issued.issuedAt,
      ...(refresh !== undefined ? { refresh_token: refresh } : {}),
    });
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { details: error instanceof Error ? error.message : 'internal error' });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    realm: `http://127.0.0.1:${port}${REALM_PATH}`,
    service: settings.service,
    issuer: settings.issuer,
    get rootCertPem() {
      return key.certificatePem;
    },
    rootCertPath: settings.rootCertFile,
    tokenRequests: requests,
    clearTokenRequests() {
      requests.length = 0;
    },
    async revoke() {
      key = await createSigningKey(`${settings.issuer} signing key`);
      if (settings.rootCertFile !== undefined) await writeFile(settings.rootCertFile, key.certificatePem);
    },
    verifyToken(token) {
      return verifyRegistryToken(token, key, settings);
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

interface Settings {
  readonly service: string;
  readonly issuer: string;
  readonly users: readonly TokenServerUser[];
  readonly anonymous: AccessMap | false;
  readonly expiresIn: number;
  readonly keyHint: 'x5c' | 'kid';
  readonly acceptPost: boolean;
  readonly rootCertFile: string | undefined;
  readonly clock: () => number;
  readonly port: number;
}

function validateOptions(options: TokenServerOptions): Settings {
  const expiresIn = options.expiresIn ?? 300;
  if (!Number.isSafeInteger(expiresIn) || expiresIn <= 0) {
    throw new RangeError(`${PACKAGE}: token server expiresIn must be a positive whole number of seconds, got ${expiresIn}`);
  }
  const users = options.users ?? [];
  const seen = new Set<string>();
  for (const user of users) {
    if (user.username === '' || user.username.includes(':')) {
      throw new TypeError(`${PACKAGE}: token server username must be non-empty and contain no ":", got "${user.username}"`);
    }
    if (seen.has(user.username)) throw new TypeError(`${PACKAGE}: token server user "${user.username}" is listed twice`);
    seen.add(user.username);
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new RangeError(`${PACKAGE}: token server port must be 0–65535, got ${port}`);
  const keyHint = options.keyHint ?? 'x5c';
  if (keyHint !== 'x5c' && keyHint !== 'kid') throw new TypeError(`${PACKAGE}: token server keyHint must be "x5c" or "kid"`);
  return {
    service: nonEmpty(options.service ?? 'regkit-test-registry', 'service'),
    issuer: nonEmpty(options.issuer ?? 'regkit-test-token-server', 'issuer'),
    users,
    anonymous: options.anonymous ?? {},
    expiresIn,
    keyHint,
    acceptPost: options.acceptPost ?? true,
    rootCertFile: options.rootCertFile,
    clock: options.clock ?? Date.now,
    port,
  };
}

function nonEmpty(value: string, what: string): string {
  if (value === '') throw new TypeError(`${PACKAGE}: token server ${what} must not be empty`);
  return value;
}

type Credentials = { readonly username: string; readonly password: string };

/** `undefined` when there is no Authorization header; `'invalid'` when it is not usable Basic. */
function parseBasic(header: string | undefined): Credentials | 'invalid' | undefined {
  if (header === undefined) return undefined;
  const match = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match?.[1]) return 'invalid';
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return 'invalid';
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function passwordMatches(users: ReadonlyMap<string, TokenServerUser>, credentials: Credentials): boolean {
  const user = users.get(credentials.username);
  return user !== undefined && user.password === credentials.password;
}

/** A mismatched `service` is refused: the token would carry the wrong `aud`. An absent one is tolerated. */
function checkService(sent: string | undefined, expected: string): string | undefined {
  return sent === undefined || sent === expected ? undefined : `unknown service "${sent}"`;
}

function parseScopes(scopes: readonly string[]): ResourceScope[] | string {
  const parsed: ResourceScope[] = [];
  for (const scope of scopes) {
    // Empty actions (`pull,`) are dropped rather than refused: they could never be granted anyway.
    const resource = parseResourceScope(scope);
    if (resource === undefined) return `invalid scope "${scope}"`;
    parsed.push(resource);
  }
  return parsed;
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) return undefined;
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const bytes = Buffer.from(JSON.stringify(body));
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': bytes.length, 'cache-control': 'no-store' });
  response.end(bytes);
}

function sendUnauthorized(response: ServerResponse, body: unknown): void {
  response.setHeader('www-authenticate', 'Basic realm="regkit-test-token-server"');
  sendJson(response, 401, body);
}

function verifyRegistryToken(token: string, key: SigningKey, settings: Settings): TokenVerification {
  let decoded: ReturnType<typeof decodeJwt>;
  try {
    decoded = decodeJwt(token);
  } catch (error) {
    return { valid: false, reason: `malformed token: ${(error as Error).message}` };
  }
  const { header, claims } = decoded;
  if (header.alg !== 'RS256') return { valid: false, reason: `unexpected alg ${String(header.alg)}` };
  if (!verify('sha256', Buffer.from(decoded.signingInput, 'ascii'), key.publicKey, decoded.signature)) {
    return { valid: false, reason: 'signature does not verify with the current key' };
  }
  if (claims.iss !== settings.issuer) return { valid: false, reason: 'wrong issuer' };
  if (typeof claims.aud !== 'string' || claims.aud !== settings.service) return { valid: false, reason: 'wrong audience' };
  const now = Math.floor(settings.clock() / 1000);
  if (typeof claims.exp !== 'number' || now > claims.exp + LEEWAY_SECONDS) return { valid: false, reason: 'token expired' };
  if (typeof claims.nbf !== 'number' || now < claims.nbf - LEEWAY_SECONDS) return { valid: false, reason: 'token not yet valid' };
  return { valid: true, claims: claims as unknown as RegistryTokenClaims };
}
