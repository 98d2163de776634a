import { describe, expect, it } from 'vitest';
import { MEDIA_TYPES } from './content/media-types';
import { createFakeDockerHub } from './docker-hub';
import { createFakeRegistry, type FakeRegistry } from './fake-registry';
import { ABUSE_LIMIT_MESSAGE, PULL_LIMIT_MESSAGE } from './faults';
import { FIXTURES } from './fixtures';
import { PROFILES } from './profiles';
import { ALL_MANIFEST_TYPES } from './test-support';

const HUB = 'https://registry-1.docker.io';

async function token(hub: FakeRegistry, scope: string, basic?: string): Promise<string> {
  const response = await hub.handle(
    new Request(`https://auth.docker.io/token?service=registry.docker.io&scope=${encodeURIComponent(scope)}`, {
      headers: basic === undefined ? {} : { authorization: `Basic ${Buffer.from(basic).toString('base64')}` },
    }),
  );
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

function get(hub: FakeRegistry, path: string, bearer: string, init: RequestInit & { headers?: Record<string, string> } = {}) {
  return hub.handle(new Request(`${HUB}${path}`, { ...init, headers: { authorization: `Bearer ${bearer}`, ...init.headers } }));
}

describe('createFakeDockerHub', () => {
  it('answers on registry-1.docker.io with the token service on auth.docker.io', async () => {
    const hub = createFakeDockerHub();
    expect(hub.profile).toBe(PROFILES['docker-hub']);
    expect([hub.origin, hub.authOrigin, hub.cdnOrigin]).toEqual([
      HUB,
      'https://auth.docker.io',
      'https://production.cloudflare.docker.com',
    ]);
    const response = await hub.handle(new Request(`${HUB}/v2/`));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io"',
    );
    const manifest = await hub.handle(new Request(`${HUB}/v2/library/golang/manifests/1.12.0`));
    expect(manifest.headers.get('www-authenticate')).toBe(
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/golang:pull"',
    );
  });

  it('serves the official images under library/ to anonymous tokens, recording token scopes per call', async () => {
    const hub = createFakeDockerHub();
    const bearer = await token(hub, 'repository:library/alpine:pull');
    const response = await get(hub, '/v2/library/alpine/manifests/latest', bearer, { headers: { accept: ALL_MANIFEST_TYPES } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(MEDIA_TYPES.ociIndex);
    expect(response.headers.get('docker-content-digest')).toBe(FIXTURES.alpine.digest);
    const index = (await response.json()) as { manifests: { annotations?: Record<string, string> }[] };
    expect(index.manifests.filter((m) => m.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest')).toHaveLength(
      1,
    );
    expect(hub.calls.at(-1)?.tokenScopes).toEqual(['repository:library/alpine:pull']);
    expect(hub.tokenCalls).toEqual([
      expect.objectContaining({
        grant: 'anonymous',
        scopes: ['repository:library/alpine:pull'],
        granted: ['repository:library/alpine:pull'],
      }),
    ]);
  });

  it('answers 401, not 404, for a repository that does not exist, and explains it', async () => {
    const hub = createFakeDockerHub();
    const bearer = await token(hub, 'repository:library/nope:pull');
    expect(hub.tokenCalls[0]?.granted).toEqual([]);
    const response = await get(hub, '/v2/library/nope/manifests/latest', bearer);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(hub.unmatched).toEqual([
      expect.objectContaining({ status: 401, explanation: expect.stringContaining("no repository 'library/nope'") }),
    ]);
  });

  it('keeps Accept negotiation as distribution answers it', async () => {
    const hub = createFakeDockerHub();
    const bearer = await token(hub, 'repository:library/alpine:pull');
    const response = await get(hub, '/v2/library/alpine/manifests/latest', bearer, {
      headers: { accept: MEDIA_TYPES.dockerManifest },
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      errors: [{ code: 'MANIFEST_UNKNOWN', message: 'OCI index found, but accept header does not support OCI indexes' }],
    });
  });

  it('serves schema 1 manifests with the payload digest', async () => {
    const hub = createFakeDockerHub();
    const built = hub.putSchema1('library/legacy', 'old');
    const bearer = await token(hub, 'repository:library/legacy:pull');
    const response = await get(hub, '/v2/library/legacy/manifests/old', bearer);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(MEDIA_TYPES.dockerSchema1Signed);
    expect(response.headers.get('docker-content-digest')).toBe(built.digest);
    expect(built.digest).not.toBe(built.bodyDigest);
  });
});

describe('Docker Hub: no catalog', () => {
  it('answers 401 UNAUTHORIZED with the catalog access record, anonymous or logged in', async () => {
    const hub = createFakeDockerHub({ users: [{ username: 'admin', password: 'pw' }] });
    const expected = {
      errors: [
        {
          code: 'UNAUTHORIZED',
          message: 'authentication required',
          detail: [{ Type: 'registry', Name: 'catalog', Action: '*' }],
        },
      ],
    };
    const anonymous = await hub.handle(new Request(`${HUB}/v2/_catalog`));
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('scope="registry:catalog:*"');
    expect(await anonymous.json()).toEqual(expected);

    const bearer = await token(hub, 'registry:catalog:*', 'admin:pw');
    expect(hub.tokenCalls.at(-1)?.granted).toEqual([]);
    const loggedIn = await get(hub, '/v2/_catalog', bearer);
    expect(loggedIn.status).toBe(401);
    expect(await loggedIn.json()).toEqual(expected);
  });
});

describe('Docker Hub: tags paging', () => {
  it('pages 100 tags at a time without n, honours n, and clamps a large n', async () => {
    const hub = createFakeDockerHub();
    const tags = hub.putTags('library/many', 1200);
    const bearer = await token(hub, 'repository:library/many:pull');

    const first = await get(hub, '/v2/library/many/tags/list', bearer);
    expect(((await first.json()) as { tags: string[] }).tags).toEqual(tags.slice(0, 100));
    expect(first.headers.get('link')).toBe('</v2/library/many/tags/list?last=t0099&n=100>; rel="next"');

    const small = await get(hub, '/v2/library/many/tags/list?n=5&last=t0099', bearer);
    expect(((await small.json()) as { tags: string[] }).tags).toEqual(tags.slice(100, 105));
    expect(small.headers.get('link')).toBe('</v2/library/many/tags/list?last=t0104&n=5>; rel="next"');

    const huge = await get(hub, '/v2/library/many/tags/list?n=10000', bearer);
    expect(huge.status).toBe(200);
    expect(((await huge.json()) as { tags: string[] }).tags).toHaveLength(1000);
    expect(huge.headers.get('link')).toBe('</v2/library/many/tags/list?last=t0999&n=1000>; rel="next"');
  });
});

describe('Docker Hub: pull rate limit', () => {
  it('counts manifest GETs, not HEADs, and reports the budget on both', async () => {
    const hub = createFakeDockerHub();
    const bearer = await token(hub, 'repository:library/golang:pull');
    const path = '/v2/library/golang/manifests/1.12.0';
    const accept = { accept: ALL_MANIFEST_TYPES };
    const head = await get(hub, path, bearer, { method: 'HEAD', headers: accept });
    expect(head.headers.get('ratelimit-limit')).toBe('100;w=21600');
    expect(head.headers.get('ratelimit-remaining')).toBe('100;w=21600');
    expect(head.headers.get('docker-ratelimit-source')).toBe('127.0.0.1');
    const pulled = await get(hub, path, bearer, { headers: accept });
    expect(pulled.headers.get('ratelimit-remaining')).toBe('99;w=21600');
    await get(hub, path, bearer, { method: 'HEAD', headers: accept });
    expect(hub.rateLimit?.remaining()).toBe(99);
  });

  it('answers 429 TOOMANYREQUESTS with Hub’s message once the budget is spent, while HEAD keeps working', async () => {
    const hub = createFakeDockerHub({ rateLimit: { remaining: 1 } });
    const bearer = await token(hub, 'repository:library/golang:pull');
    const path = '/v2/library/golang/manifests/1.12.0';
    const accept = { accept: ALL_MANIFEST_TYPES };
    expect((await get(hub, path, bearer, { headers: accept })).status).toBe(200);
    const refused = await get(hub, path, bearer, { headers: accept });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('ratelimit-remaining')).toBe('0;w=21600');
    expect(await refused.json()).toEqual({ errors: [{ code: 'TOOMANYREQUESTS', message: PULL_LIMIT_MESSAGE }] });
    expect((await get(hub, path, bearer, { method: 'HEAD', headers: accept })).status).toBe(200);
    hub.reset();
    expect(hub.rateLimit?.remaining()).toBe(1);
  });

  it('keeps a separate budget per user, named in Docker-RateLimit-Source', async () => {
    const hub = createFakeDockerHub({ users: [{ username: 'dev', password: 'pw' }], rateLimit: { limit: 200 } });
    hub.rateLimit?.setRemaining(0);
    const bearer = await token(hub, 'repository:library/hello:pull', 'dev:pw');
    const response = await get(hub, '/v2/library/hello/manifests/latest', bearer, { headers: { accept: ALL_MANIFEST_TYPES } });
    expect(response.status).toBe(200);
    expect(response.headers.get('docker-ratelimit-source')).toBe('dev');
    expect(response.headers.get('ratelimit-remaining')).toBe('199;w=21600');
    expect(hub.rateLimit?.remaining('dev')).toBe(199);
  });

  it('sends no rate-limit headers with rateLimit: false', async () => {
    const hub = createFakeDockerHub({ rateLimit: false });
    expect(hub.rateLimit).toBeUndefined();
    const bearer = await token(hub, 'repository:library/hello:pull');
    const response = await get(hub, '/v2/library/hello/manifests/latest', bearer, { headers: { accept: ALL_MANIFEST_TYPES } });
    expect(response.headers.get('ratelimit-limit')).toBeNull();
  });

  it('injects the abuse limit, which carries no budget headers', async () => {
    const hub = createFakeDockerHub();
    hub.faults.add({ path: '/v2/library/hello/*', tooManyRequests: 'abuse-limit' });
    const bearer = await token(hub, 'repository:library/hello:pull');
    const response = await get(hub, '/v2/library/hello/manifests/latest', bearer);
    expect(response.status).toBe(429);
    expect(response.headers.get('ratelimit-limit')).toBeNull();
    expect(await response.json()).toEqual({ errors: [{ code: 'TOOMANYREQUESTS', message: ABUSE_LIMIT_MESSAGE }] });
  });
});

describe('Docker Hub: blobs on the CDN', () => {
  it('redirects blob GETs to a signed storage URL that serves the bytes without credentials', async () => {
    const hub = createFakeDockerHub();
    const { digest, bytes } = FIXTURES.hello.content.config;
    const bearer = await token(hub, 'repository:library/hello:pull');
    const redirect = await get(hub, `/v2/library/hello/blobs/${digest}`, bearer);
    expect(redirect.status).toBe(307);
    const location = redirect.headers.get('location') ?? '';
    expect(location).toMatch(
      new RegExp(
        `^https://production\\.cloudflare\\.docker\\.com/registry-v2/docker/registry/v2/blobs/sha256/${digest.slice(7, 9)}/${digest.slice(7)}/data\\?verify=\\d+-[a-f0-9]{32}$`,
      ),
    );
    const blob = await hub.handle(new Request(location));
    expect(blob.status).toBe(200);
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(bytes);
    const range = await hub.handle(new Request(location, { headers: { range: 'bytes=0-3' } }));
    expect(range.status).toBe(206);
    expect(hub.cdnCalls.map((call) => call.status)).toEqual([200, 206]);
  });

  it('answers HEAD on the registry itself', async () => {
    const hub = createFakeDockerHub();
    const { digest, size } = FIXTURES.hello.content.config;
    const bearer = await token(hub, 'repository:library/hello:pull');
    const head = await get(hub, `/v2/library/hello/blobs/${digest}`, bearer, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(size));
  });

  it('refuses and records storage requests carrying Authorization, and tampered URLs', async () => {
    const hub = createFakeDockerHub();
    const { digest } = FIXTURES.hello.content.config;
    const bearer = await token(hub, 'repository:library/hello:pull');
    const location = (await get(hub, `/v2/library/hello/blobs/${digest}`, bearer)).headers.get('location') ?? '';
    const leaked = await hub.handle(new Request(location, { headers: { authorization: `Bearer ${bearer}` } }));
    expect(leaked.status).toBe(400);
    expect(await leaked.text()).toContain('Only one auth mechanism allowed');
    expect(hub.cdnCalls).toEqual([expect.objectContaining({ status: 400, headers: { authorization: 'Bearer <redacted>' } })]);
    expect(JSON.stringify(hub.cdnCalls)).not.toContain(bearer);
    const tampered = await hub.handle(new Request(location.replace(/verify=\d+/, 'verify=1')));
    expect(tampered.status).toBe(403);
  });

  it('can be turned off through the profile', async () => {
    const hub = createFakeRegistry({ profile: { ...PROFILES['docker-hub'], blobRedirect: undefined } });
    expect(hub.cdnOrigin).toBeUndefined();
    const bearer = await token(hub, 'repository:library/hello:pull');
    const response = await get(hub, `/v2/library/hello/blobs/${FIXTURES.hello.content.config.digest}`, bearer);
    expect(response.status).toBe(200);
  });
});
