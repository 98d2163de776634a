import { describe, expect, it } from 'vitest';
import { createFakeRegistry, type FakeRegistry } from './fake-registry';
import { FIXTURES } from './fixtures';
import { PROFILES } from './profiles';
import { ALL_MANIFEST_TYPES, send } from './test-support';

async function anonymousToken(registry: FakeRegistry, realm: string, service: string, scope?: string): Promise<string> {
  const url = new URL(realm);
  url.searchParams.set('service', service);
  if (scope !== undefined) url.searchParams.set('scope', scope);
  const response = await registry.handle(new Request(url));
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

describe('ghcr profile', () => {
  it('needs an anonymous token even for /v2/, and its challenge names a placeholder scope', async () => {
    const ghcr = createFakeRegistry({ profile: 'ghcr' });
    expect([ghcr.origin, ghcr.authOrigin]).toEqual(['https://ghcr.io', 'https://ghcr.io']);
    const base = await send(ghcr, '/v2/');
    expect(base.status).toBe(401);
    expect(base.headers.get('www-authenticate')).toBe(
      'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:user/image:pull"',
    );
    // The token endpoint shares the registry's origin.
    const bearer = await anonymousToken(ghcr, 'https://ghcr.io/token', 'ghcr.io', 'repository:library/hello:pull');
    const authorization = { authorization: `Bearer ${bearer}` };
    expect((await send(ghcr, '/v2/', { headers: authorization })).status).toBe(200);
    const pulled = await send(ghcr, '/v2/library/hello/manifests/latest', {
      headers: { ...authorization, accept: ALL_MANIFEST_TYPES },
    });
    expect(pulled.status).toBe(200);
    expect((await send(ghcr, '/v2/library/hello/manifests/latest')).status).toBe(401);
  });
});

describe('ecr profile', () => {
  it('uses Basic auth and refuses a tags n above 1000 with 400', async () => {
    const ecr = createFakeRegistry({ profile: 'ecr', users: [{ username: 'AWS', password: 'secret' }] });
    expect(ecr.origin).toBe('https://123456789012.dkr.ecr.us-east-1.amazonaws.com');
    const challenge = await send(ecr, '/v2/');
    expect(challenge.headers.get('www-authenticate')).toBe('Basic realm="https://123456789012.dkr.ecr.us-east-1.amazonaws.com/"');
    const authorization = { authorization: `Basic ${Buffer.from('AWS:secret').toString('base64')}` };
    ecr.putTags('team/app', 150);
    const tooMany = await send(ecr, '/v2/team/app/tags/list?n=1001', { headers: authorization });
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as { errors: { code: string }[] }).errors[0]?.code).toBe('PAGINATION_NUMBER_INVALID');
    const most = await send(ecr, '/v2/team/app/tags/list?n=1000', { headers: authorization });
    expect(((await most.json()) as { tags: string[] }).tags).toHaveLength(150);
    const byDefault = await send(ecr, '/v2/team/app/tags/list', { headers: authorization });
    expect(((await byDefault.json()) as { tags: string[] }).tags).toHaveLength(100);
    expect(byDefault.headers.get('link')).toBe('</v2/team/app/tags/list?last=t099&n=100>; rel="next"');
  });
});

describe('quay profile', () => {
  it('pages tags with an opaque next_page cursor and ignores last', async () => {
    const quay = createFakeRegistry({ profile: 'quay' });
    expect(quay.authOrigin).toBe('https://quay.io');
    const bearer = await anonymousToken(quay, 'https://quay.io/v2/auth', 'quay.io', 'repository:team/app:pull');
    const headers = { authorization: `Bearer ${bearer}` };
    const all = quay.putTags('team/app', 120);

    const seen: string[] = [];
    let path: string | undefined = '/v2/team/app/tags/list?last=t100';
    const links: string[] = [];
    while (path !== undefined) {
      const response: Response = await send(quay, path, { headers });
      expect(response.status).toBe(200);
      seen.push(...((await response.json()) as { tags: string[] }).tags);
      const link = response.headers.get('link');
      if (link !== null) links.push(link);
      path = /^<([^>]+)>; rel="next"$/.exec(link ?? '')?.[1];
    }
    expect(seen).toEqual(all);
    expect(links).toHaveLength(2);
    for (const link of links)
      expect(link).toMatch(/^<\/v2\/team\/app\/tags\/list\?next_page=gAAAAA[A-Za-z0-9_%-]+&n=50>; rel="next"$/);
    expect(links.join()).not.toContain('last=');

    const forged = await send(quay, '/v2/team/app/tags/list?next_page=t049', { headers });
    expect(forged.status).toBe(400);
    const capped = await send(quay, '/v2/team/app/tags/list?n=500', { headers });
    expect(((await capped.json()) as { tags: string[] }).tags).toHaveLength(100);
  });
});

describe('profile fields', () => {
  it('drops Docker-Content-Digest from manifests and blobs with contentDigestHeader: false', async () => {
    const registry = createFakeRegistry({ profile: { ...PROFILES.distribution, contentDigestHeader: false } });
    const manifest = await send(registry, '/v2/library/hello/manifests/latest', { headers: { accept: ALL_MANIFEST_TYPES } });
    expect(manifest.status).toBe(200);
    expect(manifest.headers.has('docker-content-digest')).toBe(false);
    expect(manifest.headers.get('etag')).toBe(`"${FIXTURES.hello.digest}"`);
    const blob = await send(registry, `/v2/library/hello/blobs/${FIXTURES.hello.content.config.digest}`);
    expect(blob.status).toBe(200);
    expect(blob.headers.has('docker-content-digest')).toBe(false);
  });

  it('lets options override the profile’s endpoints', async () => {
    const hub = createFakeRegistry({ profile: 'docker-hub', origin: 'https://mirror.fake.test', auth: 'none' });
    expect(hub.origin).toBe('https://mirror.fake.test');
    expect(hub.authOrigin).toBeUndefined();
    expect((await send(hub, '/v2/')).status).toBe(200);
  });

  it('rejects a profile object with an unknown tags paging mode', () => {
    // @ts-expect-error not a paging mode
    expect(() => createFakeRegistry({ profile: { ...PROFILES.distribution, tagsPaging: 'pages' } })).toThrow(/tagsPaging/);
  });
});
