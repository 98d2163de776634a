import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MEDIA_TYPES } from './content/media-types';
import { createFakeRegistry } from './fake-registry';
import { FIXTURES } from './fixtures';
import { fakeRegistryHandlers } from './msw-handlers';

const registry = createFakeRegistry();
const server = setupServer(...fakeRegistryHandlers(registry));

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => registry.reset());
afterAll(() => server.close());

describe('fakeRegistryHandlers with setupServer', () => {
  it('answers global fetch to the registry origin', async () => {
    const response = await fetch('https://registry.fake.test/v2/library/golang/manifests/1.12.0', {
      headers: { accept: MEDIA_TYPES.dockerManifestList },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('docker-content-digest')).toBe(FIXTURES.golang.digest);
    expect((await response.json()).manifests).toHaveLength(3);
    expect(registry.calls).toEqual([
      expect.objectContaining({ method: 'GET', path: '/v2/library/golang/manifests/1.12.0', status: 200 }),
    ]);
  });

  it('passes the query through and returns the relative Link', async () => {
    registry.putTags('team/app', 3);
    const response = await fetch('https://registry.fake.test/v2/team/app/tags/list?n=2');
    expect(response.headers.get('link')).toBe('</v2/team/app/tags/list?last=t1&n=2>; rel="next"');
    expect(await response.json()).toEqual({ name: 'team/app', tags: ['t0', 't1'] });
  });

  it('serves HEAD, Range and DELETE', async () => {
    const layer = FIXTURES.hello.content.layers[0];
    const url = `https://registry.fake.test/v2/library/hello/blobs/${layer?.digest}`;
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe(String(layer?.size));
    const range = await fetch(url, { headers: { range: 'bytes=0-1' } });
    expect(range.status).toBe(206);
    expect(new Uint8Array(await range.arrayBuffer())).toEqual(layer?.bytes.subarray(0, 2));
    const deleted = await fetch(`https://registry.fake.test/v2/library/hello/manifests/${FIXTURES.hello.digest}`, {
      method: 'DELETE',
    });
    expect(deleted.status).toBe(202);
    expect(registry.tags('library/hello')).toEqual([]);
  });

  it('returns the 301 for /v2 to a manual-redirect client', async () => {
    const response = await fetch('https://registry.fake.test/v2', { redirect: 'manual' });
    expect(response.status).toBe(301);
    expect(response.headers.get('location')).toBe('/v2/');
  });
});

describe('fakeRegistryHandlers in token mode', () => {
  const secured = createFakeRegistry({
    origin: 'https://secured.fake.test',
    auth: 'token',
    token: { origin: 'https://auth.secured.fake.test' },
  });

  beforeAll(() => server.use(...fakeRegistryHandlers(secured)));

  it('serves the token origin too, so a fetch client can run the whole challenge flow', async () => {
    const first = await fetch('https://secured.fake.test/v2/library/hello/tags/list');
    expect(first.status).toBe(401);
    const header = first.headers.get('www-authenticate') ?? '';
    expect(header).toBe(
      'Bearer realm="https://auth.secured.fake.test/token",service="secured.fake.test",scope="repository:library/hello:pull"',
    );
    const tokenResponse = await fetch(
      'https://auth.secured.fake.test/token?service=secured.fake.test&scope=repository:library/hello:pull',
    );
    const { token } = (await tokenResponse.json()) as { token: string };
    const second = await fetch('https://secured.fake.test/v2/library/hello/tags/list', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await second.json()).toEqual({ name: 'library/hello', tags: ['latest'] });
    expect(secured.tokenCalls).toHaveLength(1);
    expect(secured.tokenCalls[0]?.granted).toEqual(['repository:library/hello:pull']);
  });
});
