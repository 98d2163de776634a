import { describe, expect, it } from 'vitest';
import { sha256Digest } from './content/digest';
import { MEDIA_TYPES } from './content/media-types';
import { FIXTURES } from './fixtures';
import { useFakeDockerHub, useFakeRegistry } from './use-fake-registry';

describe('useFakeRegistry in listen mode', () => {
  const fake = useFakeRegistry();
  let originBeforeHooks: string | Error;
  try {
    originBeforeHooks = fake.origin;
  } catch (error) {
    originBeforeHooks = error as Error;
  }

  it('serves on loopback, and says so when the origin is read before beforeAll', async () => {
    expect((originBeforeHooks as Error).message).toMatch(/starts in beforeAll/);
    expect(fake.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(fake.server?.origin).toBe(fake.origin);
    const client = fake.client();
    expect(client.domain).toBe('registry.fake.test');
    expect(client.target.origin).toBe(fake.origin);
    const image = await client.repository('library/alpine').images().getByTag('latest');
    expect(image.digest).toBe(FIXTURES.alpine.digest);
    expect(image.attestations).toHaveLength(1);
  });
});

describe('useFakeDockerHub in listen mode', () => {
  const hub = useFakeDockerHub();

  async function anonymousToken(scope: string): Promise<string> {
    const challenge = (await fetch(`${hub.origin}/v2/`)).headers.get('www-authenticate') ?? '';
    const realm = /realm="([^"]+)"/.exec(challenge)?.[1] ?? '';
    const response = await fetch(`${realm}?service=registry.docker.io&scope=${scope}`);
    return ((await response.json()) as { token: string }).token;
  }

  it('serves registry, token service and blob storage on three loopback ports, and names them', async () => {
    const { server } = hub;
    const origins = [server?.origin, server?.authOrigin, server?.cdnOrigin];
    for (const origin of origins) expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(new Set(origins).size).toBe(3);
    const challenge = await fetch(`${hub.origin}/v2/library/hello/tags/list`);
    expect(challenge.headers.get('www-authenticate')).toBe(
      `Bearer realm="${server?.authOrigin}/token",service="registry.docker.io",scope="repository:library/hello:pull"`,
    );
    expect(hub.client().domain).toBe('docker.io');
    expect(hub.client().target.origin).toBe(hub.origin);
  });

  it('redirects blobs to the loopback storage, which serves them when fetch drops Authorization', async () => {
    const token = await anonymousToken('repository:library/hello:pull');
    const { digest, bytes } = FIXTURES.hello.content.layers[0] ?? FIXTURES.hello.content.config;
    const url = `${hub.origin}/v2/library/hello/blobs/${digest}`;
    const manual = await fetch(url, { headers: { authorization: `Bearer ${token}` }, redirect: 'manual' });
    expect(manual.status).toBe(307);
    const location = manual.headers.get('location') ?? '';
    expect(location.startsWith(`${hub.server?.cdnOrigin}/registry-v2/`)).toBe(true);

    // Node's fetch strips Authorization on a cross-origin redirect; the storage host sees none.
    const followed = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(followed.status).toBe(200);
    expect(sha256Digest(new Uint8Array(await followed.arrayBuffer()))).toBe(sha256Digest(bytes));

    // A client forwarding the token by hand is refused and recorded.
    const leaked = await fetch(location, { headers: { authorization: `Bearer ${token}` } });
    expect(leaked.status).toBe(400);
    expect(hub.registry.cdnCalls.map((call) => [call.status, call.headers.authorization])).toEqual([
      [200, undefined],
      [400, 'Bearer <redacted>'],
    ]);
  });

  it('drops the connection for a reset fault and cuts bodies for truncateBody', async () => {
    const token = await anonymousToken('repository:library/golang:pull');
    const headers = { authorization: `Bearer ${token}`, accept: MEDIA_TYPES.dockerManifestList };
    hub.registry.faults.add({ path: '/v2/library/golang/manifests/1.12.0', reset: true });
    await expect(fetch(`${hub.origin}/v2/library/golang/manifests/1.12.0`, { headers })).rejects.toThrow(TypeError);
    hub.registry.faults.add({ path: '/v2/library/golang/manifests/1.12.0', truncateBody: 100 });
    const cut = await fetch(`${hub.origin}/v2/library/golang/manifests/1.12.0`, { headers });
    expect(cut.status).toBe(200);
    await expect(cut.arrayBuffer()).rejects.toThrow();
    const whole = await fetch(`${hub.origin}/v2/library/golang/manifests/1.12.0`, { headers });
    expect(whole.headers.get('docker-content-digest')).toBe(FIXTURES.golang.digest);
    // The cut GET was answered 200, so it cost a pull, as an interrupted pull does on Hub.
    expect(whole.headers.get('ratelimit-remaining')).toBe('98;w=21600');
  });
});

describe('useFakeRegistry with a token service on the registry origin (ghcr)', () => {
  const ghcr = useFakeRegistry({ profile: 'ghcr' });

  it('serves the token endpoint on the registry’s own loopback port', async () => {
    expect(ghcr.server?.authOrigin).toBe(ghcr.origin);
    const challenge = await fetch(`${ghcr.origin}/v2/`);
    expect(challenge.headers.get('www-authenticate')).toBe(
      `Bearer realm="${ghcr.origin}/token",service="ghcr.io",scope="repository:user/image:pull"`,
    );
    const tokenResponse = await fetch(`${ghcr.origin}/token?service=ghcr.io&scope=repository:library/hello:pull`);
    expect(tokenResponse.status).toBe(200);
  });
});
