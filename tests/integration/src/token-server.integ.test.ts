import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  basicAuthorization,
  connectionOf,
  DEFAULT_USERS,
  describeWithRegistries,
  PushClient,
  type RunningRegistry,
  seedPlan,
  startRegistry,
} from './harness';

/** GET a token from the registry's token server as `user` (anonymous when omitted). */
async function getToken(
  registry: RunningRegistry,
  scopes: string[],
  user?: { username: string; password: string },
): Promise<string> {
  const server = registry.tokenServer;
  if (server === undefined) throw new Error('not a token-mode registry');
  const url = new URL(server.realm);
  url.searchParams.set('service', server.service);
  for (const scope of scopes) url.searchParams.append('scope', scope);
  const response = await fetch(url, user ? { headers: { authorization: basicAuthorization(user) } } : {});
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

function tagsWith(registry: RunningRegistry, repository: string, token: string): Promise<Response> {
  return fetch(`${registry.origin}/v2/${repository}/tags/list`, { headers: { authorization: `Bearer ${token}` } });
}

// These tests need a registry of their own: they rotate keys, restart it and
// bend the token clock, which the shared seeded registries must not see.
describeWithRegistries('token server against a real distribution 2.8 registry', () => {
  let now = Date.now();
  let registry: RunningRegistry;

  beforeAll(async () => {
    registry = await startRegistry({ mode: 'token', tokenServer: { clock: () => now } });
    const client = new PushClient(connectionOf(registry), DEFAULT_USERS.admin);
    const image = seedPlan().singleApp;
    await Promise.all([image.config, ...image.layers].map((blob) => client.pushBlob('team/app', blob)));
    await client.putManifest('team/app', 'v1', image.manifest);
  });

  afterAll(async () => {
    await registry?.stop();
  });

  it('records what was asked and what was granted', async () => {
    registry.tokenServer?.clearTokenRequests();
    await getToken(registry, ['repository:team/app:pull,push,delete'], DEFAULT_USERS.reader);
    expect(registry.tokenServer?.tokenRequests).toEqual([
      expect.objectContaining({
        method: 'GET',
        grant: 'basic',
        username: 'reader',
        scopes: ['repository:team/app:pull,push,delete'],
        granted: ['repository:team/app:pull'],
      }),
    ]);
  });

  it('grants catalog access only to admin', async () => {
    const adminToken = await getToken(registry, ['registry:catalog:*'], DEFAULT_USERS.admin);
    const catalog = await fetch(`${registry.origin}/v2/_catalog`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(await catalog.json()).toEqual({ repositories: ['team/app'] });
    const readerToken = await getToken(registry, ['registry:catalog:*'], DEFAULT_USERS.reader);
    expect((await fetch(`${registry.origin}/v2/_catalog`, { headers: { authorization: `Bearer ${readerToken}` } })).status).toBe(
      401,
    );
  });

  it('the registry rejects tokens expired beyond its 60 s leeway and accepts fresh ones', async () => {
    const realNow = Date.now();
    try {
      now = realNow - (300 + 120) * 1000; // issued 7 min ago with a 5 min lifetime: expired 2 min ago
      const stale = await getToken(registry, ['repository:team/app:pull'], DEFAULT_USERS.admin);
      now = realNow - (300 + 30) * 1000; // expired 30 s ago: inside the leeway
      const lenient = await getToken(registry, ['repository:team/app:pull'], DEFAULT_USERS.admin);
      const rejected = await tagsWith(registry, 'team/app', stale);
      expect(rejected.status).toBe(401);
      expect(rejected.headers.get('www-authenticate')).toContain('error="invalid_token"');
      expect((await tagsWith(registry, 'team/app', lenient)).status).toBe(200);
    } finally {
      now = Date.now();
    }
  });

  it('revoke() + restart(): the registry refuses old tokens and accepts new ones', async () => {
    now = Date.now();
    const old = await getToken(registry, ['repository:team/app:pull'], DEFAULT_USERS.admin);
    expect((await tagsWith(registry, 'team/app', old)).status).toBe(200);
    await registry.tokenServer?.revoke();
    await registry.restart();
    const refused = await tagsWith(registry, 'team/app', old);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const fresh = await getToken(registry, ['repository:team/app:pull'], DEFAULT_USERS.admin);
    expect(await (await tagsWith(registry, 'team/app', fresh)).json()).toEqual({ name: 'team/app', tags: ['v1'] });
  });
});

describeWithRegistries('token server in kid mode', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ mode: 'token', tokenServer: { keyHint: 'kid' } });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('the registry finds the signing key by its libtrust kid', async () => {
    const token = await getToken(registry, [], DEFAULT_USERS.admin);
    const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()) as Record<string, unknown>;
    expect(header.x5c).toBeUndefined();
    expect(header.kid).toMatch(/^[A-Z2-7]{4}(:[A-Z2-7]{4}){11}$/);
    expect((await fetch(`${registry.origin}/v2/`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });
});
