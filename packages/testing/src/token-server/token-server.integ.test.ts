import { verify, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt, libtrustKeyId } from './jwt';
import { startTokenServer, type TokenServer } from './token-server';

const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

function tokenUrl(server: TokenServer, scopes: string[], extra: Record<string, string> = {}): string {
  const url = new URL(server.realm);
  url.searchParams.set('service', server.service);
  for (const scope of scopes) url.searchParams.append('scope', scope);
  for (const [name, value] of Object.entries(extra)) url.searchParams.set(name, value);
  return url.href;
}

function postForm(server: TokenServer, fields: Record<string, string>): Promise<Response> {
  return fetch(server.realm, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}

interface TokenBody {
  token?: string;
  access_token?: string;
  expires_in?: number;
  issued_at?: string;
  refresh_token?: string;
  scope?: string;
}

describe('startTokenServer', () => {
  let server: TokenServer;
  let dir: string;
  let now = Date.UTC(2030, 0, 1, 0, 0, 0);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'regkit-token-'));
    server = await startTokenServer({
      service: 'svc',
      issuer: 'iss',
      users: [
        { username: 'admin', password: 'admin-pw', access: { '*': ['*'], 'registry:catalog': ['*'] } },
        { username: 'reader', password: 'reader-pw', access: { 'library/*': ['pull'] } },
      ],
      anonymous: { 'public/*': ['pull'] },
      expiresIn: 120,
      rootCertFile: join(dir, 'root.pem'),
      clock: () => now,
    });
  });

  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('listens on loopback and writes its root certificate', async () => {
    expect(server.realm).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/token$/);
    expect(server.rootCertPath).toBe(join(dir, 'root.pem'));
    expect(await readFile(join(dir, 'root.pem'), 'utf8')).toBe(server.rootCertPem);
  });

  it('issues a signed token whose x5c certificate carries the verifying key', async () => {
    const response = await fetch(tokenUrl(server, ['repository:library/golang:pull,push']), {
      headers: { authorization: basic('reader', 'reader-pw') },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as TokenBody;
    expect(body.token).toBe(body.access_token);
    expect(body.expires_in).toBe(120);
    expect(body.issued_at).toBe('2030-01-01T00:00:00Z');
    expect(body.refresh_token).toBeUndefined();

    const jwt = decodeJwt(body.token ?? '');
    expect(jwt.header.alg).toBe('RS256');
    expect(jwt.header.typ).toBe('JWT');
    const x5c = jwt.header.x5c as string[];
    const certificate = new X509Certificate(Buffer.from(x5c[0] ?? '', 'base64'));
    expect(certificate.raw.equals(new X509Certificate(server.rootCertPem).raw)).toBe(true);
    expect(verify('sha256', Buffer.from(jwt.signingInput), certificate.publicKey, jwt.signature)).toBe(true);

    const iat = now / 1000;
    expect(jwt.claims).toMatchObject({ iss: 'iss', sub: 'reader', aud: 'svc', iat, nbf: iat, exp: iat + 120 });
    expect(jwt.claims.access).toEqual([{ type: 'repository', name: 'library/golang', actions: ['pull'] }]);
    expect(jwt.claims.jti).toMatch(/^[0-9a-f]{32}$/);
    expect(server.verifyToken(body.token ?? '')).toMatchObject({ valid: true });
  });

  it('records each call with the scopes asked and granted', async () => {
    server.clearTokenRequests();
    await fetch(tokenUrl(server, ['repository:public/app:pull,push', 'repository:private/x:pull']));
    expect(server.tokenRequests).toEqual([
      {
        method: 'GET',
        grant: 'anonymous',
        username: null,
        service: 'svc',
        clientId: undefined,
        scopes: ['repository:public/app:pull,push', 'repository:private/x:pull'],
        granted: ['repository:public/app:pull'],
        offline: false,
        status: 200,
      },
    ]);
  });

  it('answers 401 to wrong or unusable credentials', async () => {
    server.clearTokenRequests();
    const wrong = await fetch(tokenUrl(server, ['repository:library/x:pull']), {
      headers: { authorization: basic('reader', 'nope') },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic /);
    const unknown = await fetch(tokenUrl(server, []), { headers: { authorization: basic('ghost', 'x') } });
    expect(unknown.status).toBe(401);
    const bearer = await fetch(tokenUrl(server, []), { headers: { authorization: 'Bearer abc' } });
    expect(bearer.status).toBe(401);
    expect(server.tokenRequests.map((call) => [call.grant, call.status])).toEqual([
      ['invalid', 401],
      ['invalid', 401],
      ['invalid', 401],
    ]);
  });

  it('refuses a mismatched service and malformed scopes with 400', async () => {
    const url = new URL(tokenUrl(server, []));
    url.searchParams.set('service', 'other');
    expect((await fetch(url)).status).toBe(400);
    expect((await fetch(tokenUrl(server, ['repository:nope']))).status).toBe(400);
  });

  it('returns an empty access list for a token with no scope', async () => {
    const body = (await (await fetch(tokenUrl(server, []))).json()) as TokenBody;
    expect(decodeJwt(body.token ?? '').claims.access).toEqual([]);
  });

  it('hands out a refresh token for offline_token=true and redeems it over POST', async () => {
    const response = await fetch(tokenUrl(server, ['registry:catalog:*'], { offline_token: 'true', client_id: 'test' }), {
      headers: { authorization: basic('admin', 'admin-pw') },
    });
    const body = (await response.json()) as TokenBody;
    expect(body.refresh_token).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(decodeJwt(body.token ?? '').claims.access).toEqual([{ type: 'registry', name: 'catalog', actions: ['*'] }]);

    const refreshed = await postForm(server, {
      grant_type: 'refresh_token',
      refresh_token: body.refresh_token ?? '',
      service: 'svc',
      client_id: 'test',
      access_type: 'offline',
      scope: 'repository:a/b:pull,push repository:c/d:delete',
    });
    expect(refreshed.status).toBe(200);
    const refreshedBody = (await refreshed.json()) as TokenBody;
    expect(refreshedBody.refresh_token).toBe(body.refresh_token);
    expect(refreshedBody.scope).toBe('repository:a/b:pull,push repository:c/d:delete');
    expect(refreshedBody.token).toBeUndefined();
    expect(decodeJwt(refreshedBody.access_token ?? '').claims.sub).toBe('admin');
  });

  it('serves the OAuth2 password grant with one space-separated scope field', async () => {
    server.clearTokenRequests();
    const response = await postForm(server, {
      grant_type: 'password',
      username: 'reader',
      password: 'reader-pw',
      service: 'svc',
      client_id: 'regkit',
      scope: 'repository:library/a:pull repository:library/b:push',
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as TokenBody;
    expect(body).toMatchObject({ scope: 'repository:library/a:pull', expires_in: 120, issued_at: '2030-01-01T00:00:00Z' });
    expect(body.refresh_token).toBeUndefined();
    expect(server.tokenRequests[0]).toMatchObject({
      method: 'POST',
      grant: 'password',
      username: 'reader',
      clientId: 'regkit',
      granted: ['repository:library/a:pull'],
    });
  });

  it('rejects bad POST requests', async () => {
    const wrongPassword = await postForm(server, {
      grant_type: 'password',
      username: 'reader',
      password: 'x',
      service: 'svc',
      client_id: 'c',
    });
    expect(wrongPassword.status).toBe(401);
    expect(((await wrongPassword.json()) as { error: string }).error).toBe('invalid_grant');
    const unknownRefresh = await postForm(server, {
      grant_type: 'refresh_token',
      refresh_token: 'nope',
      service: 'svc',
      client_id: 'c',
    });
    expect(unknownRefresh.status).toBe(401);
    expect(
      (await postForm(server, { grant_type: 'password', username: 'reader', password: 'reader-pw', service: 'svc' })).status,
    ).toBe(400);
    expect((await postForm(server, { grant_type: 'authorization_code', service: 'svc', client_id: 'c' })).status).toBe(400);
    const json = await fetch(server.realm, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(json.status).toBe(400);
  });

  it('stamps tokens from its clock and reports expiry with 60 s leeway', async () => {
    const body = (await (await fetch(tokenUrl(server, []))).json()) as TokenBody;
    const token = body.token ?? '';
    const issuedAt = now;
    try {
      now = issuedAt + (120 + 59) * 1000;
      expect(server.verifyToken(token).valid).toBe(true);
      now = issuedAt + (120 + 61) * 1000;
      expect(server.verifyToken(token)).toEqual({ valid: false, reason: 'token expired' });
    } finally {
      now = issuedAt;
    }
  });

  it('revoke() rotates the key: old tokens stop verifying, new ones verify', async () => {
    const old = ((await (await fetch(tokenUrl(server, []))).json()) as TokenBody).token ?? '';
    const oldPem = server.rootCertPem;
    await server.revoke();
    expect(server.rootCertPem).not.toBe(oldPem);
    expect(await readFile(join(dir, 'root.pem'), 'utf8')).toBe(server.rootCertPem);
    expect(server.verifyToken(old)).toEqual({ valid: false, reason: 'signature does not verify with the current key' });
    const fresh = ((await (await fetch(tokenUrl(server, []))).json()) as TokenBody).token ?? '';
    expect(server.verifyToken(fresh).valid).toBe(true);
  });

  it('answers other paths with 404 and other methods with 405', async () => {
    expect((await fetch(new URL('/other', server.realm))).status).toBe(404);
    const put = await fetch(server.realm, { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST');
  });
});

describe('startTokenServer options', () => {
  it('refuses anonymous callers when anonymous is false, and POST when acceptPost is false', async () => {
    const server = await startTokenServer({ anonymous: false, acceptPost: false });
    try {
      expect((await fetch(server.realm)).status).toBe(401);
      const post = await fetch(server.realm, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=password',
      });
      expect(post.status).toBe(404);
      expect(server.rootCertPath).toBeUndefined();
    } finally {
      await server.close();
    }
  });

  it('names the key by libtrust kid when keyHint is kid', async () => {
    const server = await startTokenServer({ keyHint: 'kid' });
    try {
      const body = (await (await fetch(server.realm)).json()) as TokenBody;
      const header = decodeJwt(body.token ?? '').header;
      expect(header.x5c).toBeUndefined();
      expect(header.kid).toBe(libtrustKeyId(new X509Certificate(server.rootCertPem).publicKey));
    } finally {
      await server.close();
    }
  });

  it('validates options eagerly with messages naming the package', async () => {
    await expect(startTokenServer({ expiresIn: 0 })).rejects.toThrow(/@regkit\/testing.*expiresIn/);
    await expect(startTokenServer({ users: [{ username: 'a:b', password: 'x', access: {} }] })).rejects.toThrow(/username/);
    await expect(startTokenServer({ service: '' })).rejects.toThrow(/service/);
  });
});
