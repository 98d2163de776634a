import { describe, expect, it } from 'vitest';
import type { FakeRegistry, FakeRegistryOptions } from '../fake-registry';
import { createFakeRegistry } from '../fake-registry';
import { FIXTURES } from '../fixtures';
import { ALL_MANIFEST_TYPES } from '../test-support';

const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

const USERS = [
  { username: 'admin', password: 'secret' },
  { username: 'dev', password: 'pw', access: { 'team/app': ['pull', 'push'], 'library/*': ['pull'] } as const },
];

function tokenRegistry(options: Partial<FakeRegistryOptions> = {}) {
  return createFakeRegistry({ auth: 'token', users: USERS, ...options });
}

function call(registry: FakeRegistry, url: string, init: RequestInit = {}) {
  return registry.handle(new Request(url, init));
}

/** Parses `Bearer realm="…",service="…",scope="…"` (no commas inside values in these tests). */
function challenge(response: Response): Record<string, string> {
  const header = response.headers.get('www-authenticate') ?? '';
  expect(header.startsWith('Bearer ')).toBe(true);
  return Object.fromEntries(
    header
      .slice('Bearer '.length)
      .split(/,(?=[a-z]+=)/)
      .map((part) => {
        const [key, value] = part.split(/=(.*)/s) as [string, string];
        return [key, JSON.parse(value) as string];
      }),
  );
}

async function fetchToken(registry: FakeRegistry, params: Record<string, string | string[]>, authorization?: string) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) for (const each of [value].flat()) query.append(key, each);
  const response = await call(registry, `https://auth.fake.test/token?${query}`, {
    headers: authorization ? { authorization } : {},
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Challenge → token (with the challenge's service and scope) → retry: what a client does. */
async function pull(registry: FakeRegistry, path: string, authorization?: string, init: RequestInit = {}) {
  const url = `${registry.origin}${path}`;
  const first = await call(registry, url, init);
  if (first.status !== 401) return first;
  const params = challenge(first);
  const query: Record<string, string> = { service: params.service as string };
  if (params.scope) query.scope = params.scope;
  const { body } = await fetchToken(registry, query, authorization);
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${body.token as string}`);
  return call(registry, url, { ...init, headers });
}

describe("auth: 'token' challenges", () => {
  it('answers /v2/ without a token with a scope-less Bearer challenge and detail null', async () => {
    const registry = tokenRegistry();
    const response = await call(registry, 'https://registry.fake.test/v2/');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer realm="https://auth.fake.test/token",service="registry.fake.test"',
    );
    expect(await response.json()).toEqual({
      errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail: null }],
    });
  });

  it.each([
    ['GET', '/v2/library/golang/tags/list', 'repository:library/golang:pull'],
    ['HEAD', '/v2/library/golang/manifests/1.12.0', 'repository:library/golang:pull'],
    ['DELETE', `/v2/library/hello/manifests/${FIXTURES.hello.digest}`, 'repository:library/hello:delete'],
    ['PUT', '/v2/team/app/manifests/v1', 'repository:team/app:pull,push'],
    ['GET', '/v2/_catalog', 'registry:catalog:*'],
  ])('asks %s %s for scope %s', async (method, path, scope) => {
    const registry = tokenRegistry();
    const response = await call(registry, `https://registry.fake.test${path}`, { method });
    expect(response.status).toBe(401);
    expect(challenge(response)).toEqual({ realm: 'https://auth.fake.test/token', service: 'registry.fake.test', scope });
  });

  it('lists one access record per action in the 401 body', async () => {
    const registry = tokenRegistry();
    const response = await call(registry, 'https://registry.fake.test/v2/team/app/manifests/v1', { method: 'PUT' });
    expect(((await response.json()) as { errors: { detail: unknown }[] }).errors[0]?.detail).toEqual([
      { Type: 'repository', Class: '', Name: 'team/app', Action: 'pull' },
      { Type: 'repository', Class: '', Name: 'team/app', Action: 'push' },
    ]);
  });

  it('uses the configured service, realm origin and path', async () => {
    const registry = tokenRegistry({
      token: { origin: 'https://auth.docker.example', path: '/oauth/token', service: 'registry.docker.io' },
    });
    const response = await call(registry, 'https://registry.fake.test/v2/library/golang/tags/list');
    expect(challenge(response)).toMatchObject({
      realm: 'https://auth.docker.example/oauth/token',
      service: 'registry.docker.io',
    });
    expect(registry.authOrigin).toBe('https://auth.docker.example');
    expect(registry.serves('https://auth.docker.example')).toBe(true);
  });
});

describe("auth: 'token' flow", () => {
  it('pulls anonymously with exactly one token request for the challenged scope', async () => {
    const registry = tokenRegistry();
    const response = await pull(registry, '/v2/library/golang/manifests/1.12.0', undefined, {
      headers: { accept: ALL_MANIFEST_TYPES },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('docker-content-digest')).toBe(FIXTURES.golang.digest);
    expect(registry.tokenCalls).toEqual([
      expect.objectContaining({
        method: 'GET',
        grant: 'anonymous',
        username: null,
        service: 'registry.fake.test',
        scopes: ['repository:library/golang:pull'],
        granted: ['repository:library/golang:pull'],
        status: 200,
      }),
    ]);
    expect(registry.calls.map((c) => [c.status, c.headers.authorization])).toEqual([
      [401, undefined],
      [200, 'Bearer <redacted>'],
    ]);
  });

  it('answers GET /token with token, access_token, expires_in and issued_at', async () => {
    const now = Date.parse('2024-05-01T12:00:00Z');
    const registry = tokenRegistry({ token: { clock: () => now, expiresIn: 120 } });
    const { status, body } = await fetchToken(registry, {
      service: 'registry.fake.test',
      scope: 'repository:library/golang:pull',
    });
    expect(status).toBe(200);
    expect(body).toEqual({
      token: expect.any(String),
      access_token: body.token,
      expires_in: 120,
      issued_at: '2024-05-01T12:00:00.000Z',
    });
    expect(body.refresh_token).toBeUndefined();
  });

  it('grants several repeated scopes and space-separated ones, and records what was asked and granted', async () => {
    const registry = tokenRegistry();
    const { body } = await fetchToken(
      registry,
      {
        service: 'registry.fake.test',
        scope: ['repository:team/app:pull,push', 'repository:library/golang:pull repository:secret/x:delete'],
      },
      basic('dev', 'pw'),
    );
    expect(registry.tokenCalls[0]).toMatchObject({
      grant: 'basic',
      username: 'dev',
      scopes: ['repository:team/app:pull,push', 'repository:library/golang:pull', 'repository:secret/x:delete'],
      granted: ['repository:team/app:pull,push', 'repository:library/golang:pull'],
      headers: expect.objectContaining({ authorization: 'Basic <redacted>' }),
    });
    const token = body.token as string;
    const ok = await call(registry, 'https://registry.fake.test/v2/library/golang/tags/list', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(ok.status).toBe(200);
  });

  it('answers a token without the needed scope with insufficient_scope, a bad one with invalid_token', async () => {
    const registry = tokenRegistry();
    const { body } = await fetchToken(registry, { service: 'registry.fake.test', scope: 'repository:library/golang:pull' });
    const wrongRepo = await call(registry, 'https://registry.fake.test/v2/library/hello/tags/list', {
      headers: { authorization: `Bearer ${body.token}` },
    });
    expect(wrongRepo.status).toBe(401);
    expect(challenge(wrongRepo)).toEqual({
      realm: 'https://auth.fake.test/token',
      service: 'registry.fake.test',
      scope: 'repository:library/hello:pull',
      error: 'insufficient_scope',
    });
    const bogus = await call(registry, 'https://registry.fake.test/v2/library/hello/tags/list', {
      headers: { authorization: 'Bearer not-a-token' },
    });
    expect(challenge(bogus).error).toBe('invalid_token');
    // Any valid token opens /v2/, even one with no access at all.
    const { body: empty } = await fetchToken(registry, { service: 'registry.fake.test' });
    expect(
      (await call(registry, 'https://registry.fake.test/v2/', { headers: { authorization: `bearer ${empty.token}` } })).status,
    ).toBe(200);
  });

  it('gives anonymous callers pull on public repositories only, never delete or catalog', async () => {
    const registry = tokenRegistry({ privateRepositories: ['library/hello', 'team/*'] });
    const { body } = await fetchToken(registry, {
      service: 'registry.fake.test',
      scope: [
        'repository:library/golang:pull,push,delete',
        'repository:library/hello:pull',
        'repository:team/app:pull',
        'registry:catalog:*',
      ],
    });
    expect(registry.tokenCalls[0]?.granted).toEqual(['repository:library/golang:pull']);
    const hello = await call(registry, 'https://registry.fake.test/v2/library/hello/tags/list', {
      headers: { authorization: `Bearer ${body.token}` },
    });
    expect(challenge(hello).error).toBe('insufficient_scope');
    const anonymousPrivate = await pull(registry, '/v2/library/hello/tags/list');
    expect(anonymousPrivate.status).toBe(401);
    const asAdmin = await pull(registry, '/v2/library/hello/tags/list', basic('admin', 'secret'));
    expect(asAdmin.status).toBe(200);
  });

  it('needs the delete action to delete, and a catalog grant to list the catalog', async () => {
    const registry = tokenRegistry();
    const asDev = await pull(registry, `/v2/team/app/manifests/${FIXTURES.hello.digest}`, basic('dev', 'pw'), {
      method: 'DELETE',
    });
    expect(challenge(asDev)).toMatchObject({ scope: 'repository:team/app:delete', error: 'insufficient_scope' });
    expect((await pull(registry, '/v2/_catalog', basic('dev', 'pw'))).status).toBe(401);
    const adminCatalog = await pull(registry, '/v2/_catalog', basic('admin', 'secret'));
    expect(adminCatalog.status).toBe(200);
    const adminDelete = await pull(registry, `/v2/library/hello/manifests/${FIXTURES.hello.digest}`, basic('admin', 'secret'), {
      method: 'DELETE',
    });
    expect(adminDelete.status).toBe(202);
  });

  it('expires tokens by the injected clock', async () => {
    let now = 1_000_000;
    const registry = tokenRegistry({ token: { clock: () => now, expiresIn: 60 } });
    const { body } = await fetchToken(registry, { service: 'registry.fake.test', scope: 'repository:library/golang:pull' });
    const use = () =>
      call(registry, 'https://registry.fake.test/v2/library/golang/tags/list', {
        headers: { authorization: `Bearer ${body.token}` },
      });
    now += 59_999;
    expect((await use()).status).toBe(200);
    now += 1;
    const expired = await use();
    expect(expired.status).toBe(401);
    expect(challenge(expired).error).toBe('invalid_token');
  });

  it('revokeTokens() and reset() invalidate issued tokens', async () => {
    const registry = tokenRegistry();
    const { body } = await fetchToken(registry, { service: 'registry.fake.test', scope: 'repository:library/golang:pull' });
    const use = () =>
      call(registry, 'https://registry.fake.test/v2/library/golang/tags/list', {
        headers: { authorization: `Bearer ${body.token}` },
      });
    expect((await use()).status).toBe(200);
    registry.revokeTokens();
    expect(challenge(await use()).error).toBe('invalid_token');
    registry.reset();
    expect(registry.tokenCalls).toEqual([]);
  });

  it('refuses wrong credentials, a wrong service and malformed scopes at the token endpoint', async () => {
    const registry = tokenRegistry();
    expect(await fetchToken(registry, { service: 'registry.fake.test' }, basic('admin', 'nope'))).toEqual({
      status: 401,
      body: { details: 'incorrect username or password' },
    });
    expect((await fetchToken(registry, { service: 'other' })).status).toBe(400);
    expect((await fetchToken(registry, { service: 'registry.fake.test', scope: 'pull' })).status).toBe(400);
    // An empty action is refused here (the loopback token server drops it instead).
    const emptyAction = 'repository:library/golang:pull,';
    expect((await fetchToken(registry, { service: 'registry.fake.test', scope: emptyAction })).status).toBe(400);
    expect(registry.tokenCalls.map((c) => c.status)).toEqual([401, 400, 400, 400]);
  });

  it('refuses anonymous token requests when anonymous: false', async () => {
    const registry = tokenRegistry({ token: { anonymous: false } });
    expect((await fetchToken(registry, { service: 'registry.fake.test' })).status).toBe(401);
    expect((await fetchToken(registry, { service: 'registry.fake.test' }, basic('admin', 'secret'))).status).toBe(200);
  });

  it('hands out a refresh token for offline_token=true with credentials only', async () => {
    const registry = tokenRegistry();
    expect(
      (await fetchToken(registry, { service: 'registry.fake.test', offline_token: 'true' })).body.refresh_token,
    ).toBeUndefined();
    const { body } = await fetchToken(
      registry,
      { service: 'registry.fake.test', offline_token: 'true' },
      basic('admin', 'secret'),
    );
    expect(body.refresh_token).toEqual(expect.any(String));
    expect(registry.tokenCalls[1]?.offline).toBe(true);
  });

  it('answers other paths on the token origin with 404', async () => {
    const registry = tokenRegistry();
    expect((await call(registry, 'https://auth.fake.test/v2/')).status).toBe(404);
  });
});

describe('OAuth2 POST flow', () => {
  function post(registry: FakeRegistry, form: Record<string, string>) {
    return call(registry, 'https://auth.fake.test/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }

  it('issues access and refresh tokens for a password grant, then refreshes with the same refresh token', async () => {
    const registry = tokenRegistry();
    const first = await post(registry, {
      grant_type: 'password',
      username: 'dev',
      password: 'pw',
      service: 'registry.fake.test',
      client_id: 'regkit-test',
      access_type: 'offline',
      scope: 'repository:team/app:pull,push repository:library/golang:pull,delete',
    });
    expect(first.status).toBe(200);
    const body = (await first.json()) as Record<string, unknown>;
    expect(body).toEqual({
      access_token: expect.any(String),
      scope: 'repository:team/app:pull,push repository:library/golang:pull',
      expires_in: 300,
      issued_at: expect.any(String),
      refresh_token: expect.any(String),
    });
    expect(body.token).toBeUndefined();
    const refreshed = await post(registry, {
      grant_type: 'refresh_token',
      refresh_token: body.refresh_token as string,
      service: 'registry.fake.test',
      client_id: 'regkit-test',
      access_type: 'offline',
      scope: 'repository:team/app:pull',
    });
    const second = (await refreshed.json()) as Record<string, unknown>;
    expect(second.refresh_token).toBe(body.refresh_token);
    expect(second.access_token).not.toBe(body.access_token);
    const use = await call(registry, 'https://registry.fake.test/v2/team/app/tags/list', {
      headers: { authorization: `Bearer ${second.access_token}` },
    });
    expect(use.status).toBe(404); // authorised; the repository just does not exist
    expect(registry.tokenCalls.map((c) => [c.method, c.grant, c.username])).toEqual([
      ['POST', 'password', 'dev'],
      ['POST', 'refresh_token', 'dev'],
    ]);
  });

  it('refuses bad passwords, unknown refresh tokens, missing client_id and unknown grants', async () => {
    const registry = tokenRegistry();
    const base = { service: 'registry.fake.test', client_id: 'c' };
    const cases: [Record<string, string>, number, string][] = [
      [{ ...base, grant_type: 'password', username: 'dev', password: 'nope' }, 400, 'invalid_grant'],
      [{ ...base, grant_type: 'refresh_token', refresh_token: 'nope' }, 400, 'invalid_grant'],
      [{ service: 'registry.fake.test', grant_type: 'password', username: 'dev', password: 'pw' }, 400, 'invalid_request'],
      [{ ...base, grant_type: 'authorization_code' }, 400, 'unsupported_grant_type'],
      [{ ...base, service: 'elsewhere', grant_type: 'password', username: 'dev', password: 'pw' }, 400, 'invalid_request'],
    ];
    for (const [form, status, error] of cases) {
      const response = await post(registry, form);
      expect(response.status).toBe(status);
      expect(((await response.json()) as { error: string }).error).toBe(error);
    }
  });

  it('answers POST with 405 (as Harbor) or 404 when configured, while GET still works', async () => {
    for (const [mode, status] of [
      ['method-not-allowed', 405],
      ['not-found', 404],
    ] as const) {
      const registry = tokenRegistry({ token: { post: mode } });
      const response = await post(registry, {
        grant_type: 'password',
        username: 'dev',
        password: 'pw',
        service: 'registry.fake.test',
        client_id: 'c',
      });
      expect(response.status).toBe(status);
      expect((await fetchToken(registry, { service: 'registry.fake.test' }, basic('dev', 'pw'))).status).toBe(200);
    }
  });

  it('never records passwords or tokens', async () => {
    const registry = tokenRegistry();
    await post(registry, {
      grant_type: 'password',
      username: 'dev',
      password: 'hunter2',
      service: 'registry.fake.test',
      client_id: 'c',
    });
    const { body } = await fetchToken(registry, { service: 'registry.fake.test' }, basic('admin', 'secret'));
    await call(registry, 'https://registry.fake.test/v2/', { headers: { authorization: `Bearer ${body.token}` } });
    const recorded = JSON.stringify([registry.calls, registry.tokenCalls]);
    expect(recorded).not.toContain('hunter2');
    expect(recorded).not.toContain(body.token as string);
    expect(recorded).not.toContain(Buffer.from('admin:secret').toString('base64'));
  });
});

describe('token options', () => {
  it('validates eagerly', () => {
    expect(() => tokenRegistry({ token: { expiresIn: 0 } })).toThrow(/expiresIn/);
    expect(() => tokenRegistry({ token: { path: 'token' } })).toThrow(/token.path/);
    expect(() => tokenRegistry({ token: { origin: 'ftp://auth' } })).toThrow(/token.origin must be http or https/);
    // @ts-expect-error not a POST mode
    expect(() => tokenRegistry({ token: { post: 'maybe' } })).toThrow(/token.post/);
  });
});
