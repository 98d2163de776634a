import { InvalidOptionError } from '@regkit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { sha256Digest } from './content/digest';
import { MEDIA_TYPES } from './content/media-types';
import type { ListeningRegistry } from './fake-registry';
import { createFakeRegistry } from './fake-registry';
import { FIXTURES } from './fixtures';

const open: ListeningRegistry[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((server) => server.close()));
});

async function listen(registry = createFakeRegistry()) {
  const server = await registry.listen();
  open.push(server);
  return { registry, server };
}

describe('registry.listen()', () => {
  it('serves the registry on 127.0.0.1 to global fetch', async () => {
    const { registry, server } = await listen();
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(registry.serves(server.origin)).toBe(true);
    const response = await fetch(`${server.origin}/v2/library/golang/manifests/1.12.0`, {
      headers: { accept: MEDIA_TYPES.dockerManifestList },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('docker-content-digest')).toBe(FIXTURES.golang.digest);
    expect(response.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
    expect(sha256Digest(new Uint8Array(await response.arrayBuffer()))).toBe(FIXTURES.golang.digest);
    expect(registry.calls).toEqual([
      expect.objectContaining({ url: `${server.origin}/v2/library/golang/manifests/1.12.0`, status: 200, method: 'GET' }),
    ]);
  });

  it('streams a large blob intact, and serves HEAD and Range', async () => {
    const registry = createFakeRegistry({ fixtures: false });
    const big = new Uint8Array(5 * 1024 * 1024).map((_, i) => (i * 31) % 251);
    const digest = registry.putBlob('team/big', big);
    const { server } = await listen(registry);
    const get = await fetch(`${server.origin}/v2/team/big/blobs/${digest}`);
    expect(get.headers.get('content-length')).toBe(String(big.length));
    expect(sha256Digest(new Uint8Array(await get.arrayBuffer()))).toBe(digest);
    const head = await fetch(`${server.origin}/v2/team/big/blobs/${digest}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(big.length));
    const range = await fetch(`${server.origin}/v2/team/big/blobs/${digest}`, { headers: { range: 'bytes=10-19' } });
    expect(range.status).toBe(206);
    expect(new Uint8Array(await range.arrayBuffer())).toEqual(big.subarray(10, 20));
  });

  it('answers errors, router misses and redirects like the in-memory handler', async () => {
    const { server } = await listen();
    const miss = await fetch(`${server.origin}/v2/Bad/tags/list`);
    expect(miss.status).toBe(404);
    expect(await miss.text()).toBe('404 page not found\n');
    const refused = await fetch(`${server.origin}/v2/library/alpine/manifests/latest`, {
      headers: { accept: MEDIA_TYPES.dockerManifest },
    });
    expect(refused.status).toBe(404);
    expect(((await refused.json()) as { errors: { message: string }[] }).errors[0]?.message).toBe(
      'OCI index found, but accept header does not support OCI indexes',
    );
    const redirect = await fetch(`${server.origin}/v2`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/v2/');
    const deleted = await fetch(`${server.origin}/v2/library/hello/manifests/latest`, { method: 'DELETE' });
    expect(deleted.status).toBe(400);
  });

  it('stops serving after close()', async () => {
    const registry = createFakeRegistry();
    const server = await registry.listen();
    await server.close();
    expect(registry.serves(server.origin)).toBe(false);
    await expect(fetch(`${server.origin}/v2/`)).rejects.toThrow();
  });

  it('listens on a chosen port', async () => {
    const probe = await createFakeRegistry({ fixtures: false }).listen();
    const port = Number(new URL(probe.origin).port);
    await probe.close();
    const { server } = await listen(createFakeRegistry({ fixtures: false }));
    expect(server.origin).not.toBe('');
    const again = await createFakeRegistry({ fixtures: false }).listen({ port });
    open.push(again);
    expect(again.origin).toBe(`http://127.0.0.1:${port}`);
  });
});

describe('registry.listen() in token mode', () => {
  it('starts a second loopback server for the token service and names it as realm', async () => {
    const registry = createFakeRegistry({ auth: 'token', users: [{ username: 'admin', password: 'secret' }] });
    const { server } = await listen(registry);
    expect(server.authOrigin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.authOrigin).not.toBe(server.origin);

    const first = await fetch(`${server.origin}/v2/_catalog`);
    expect(first.status).toBe(401);
    expect(first.headers.get('www-authenticate')).toBe(
      `Bearer realm="${server.authOrigin}/token",service="registry.fake.test",scope="registry:catalog:*"`,
    );
    const tokenResponse = await fetch(`${server.authOrigin}/token?service=registry.fake.test&scope=registry:catalog:*`, {
      headers: { authorization: `Basic ${Buffer.from('admin:secret').toString('base64')}` },
    });
    expect(tokenResponse.status).toBe(200);
    const { token } = (await tokenResponse.json()) as { token: string };
    const second = await fetch(`${server.origin}/v2/_catalog`, { headers: { authorization: `Bearer ${token}` } });
    expect(await second.json()).toEqual({ repositories: ['library/alpine', 'library/golang', 'library/hello'] });
    expect(registry.tokenCalls).toEqual([
      expect.objectContaining({ url: expect.stringContaining(server.authOrigin as string), username: 'admin' }),
    ]);

    // The configured (non-loopback) origin keeps its own realm.
    const direct = await registry.handle(new Request('https://registry.fake.test/v2/'));
    expect(direct.headers.get('www-authenticate')).toContain('realm="https://auth.fake.test/token"');
  });

  it('accepts OAuth2 POST on the loopback token server', async () => {
    const registry = createFakeRegistry({ auth: 'token', users: [{ username: 'admin', password: 'secret' }] });
    const { server } = await listen(registry);
    const response = await fetch(`${server.authOrigin}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        username: 'admin',
        password: 'secret',
        service: 'registry.fake.test',
        client_id: 'c',
        scope: 'repository:library/hello:pull',
      }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { scope: string }).scope).toBe('repository:library/hello:pull');
  });
});

const EXPOSED =
  'docker-content-digest, www-authenticate, link, content-length, content-range, location, range, oci-chunk-min-length, docker-upload-uuid';

/** What a browser sends before a GET carrying Authorization and Range. */
function preflight(url: string, origin = 'http://127.0.0.1:5173'): Promise<Response> {
  return fetch(url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization,range' },
  });
}

describe('registry.listen({ cors })', () => {
  it('answers preflights with 204 on the registry, token service and blob storage, without recording them', async () => {
    const registry = createFakeRegistry({ profile: 'docker-hub', rateLimit: false });
    const server = await registry.listen({ cors: true });
    open.push(server);
    const origins = [server.origin, server.authOrigin, server.cdnOrigin];
    expect(origins.every((origin) => origin?.startsWith('http://127.0.0.1:'))).toBe(true);
    for (const origin of origins) {
      const answer = await preflight(`${origin}/v2/library/golang/blobs/sha256:${'0'.repeat(64)}`);
      expect(answer.status).toBe(204);
      expect(answer.headers.get('access-control-allow-origin')).toBe('*');
      // Named, because `*` would not cover Authorization.
      expect(answer.headers.get('access-control-allow-headers')).toBe(
        'authorization, accept, content-type, range, content-range',
      );
      expect(answer.headers.get('access-control-allow-methods')).toContain('GET');
      expect(await answer.text()).toBe('');
    }
    expect(registry.calls).toEqual([]);
    expect(registry.tokenCalls).toEqual([]);
    expect(registry.cdnCalls).toEqual([]);
  });

  it('adds the allow-origin and expose headers to every answer, errors and challenges included', async () => {
    const registry = createFakeRegistry({ profile: 'docker-hub', rateLimit: false });
    const server = await registry.listen({ cors: true });
    open.push(server);
    const challenge = await fetch(`${server.origin}/v2/`);
    expect(challenge.status).toBe(401);
    expect(challenge.headers.get('access-control-allow-origin')).toBe('*');
    expect(challenge.headers.get('access-control-expose-headers')).toBe(EXPOSED);
    const token = await fetch(`${server.authOrigin}/token?service=registry.docker.io&scope=repository:library/golang:pull`);
    expect(token.status).toBe(200);
    expect(token.headers.get('access-control-allow-origin')).toBe('*');
    const storage = await fetch(`${server.cdnOrigin}/nothing-here`);
    expect(storage.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('allows only the given origin when cors is a string', async () => {
    const server = await createFakeRegistry().listen({ cors: 'http://127.0.0.1:5173' });
    open.push(server);
    const answer = await preflight(`${server.origin}/v2/`);
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5173');
    const get = await fetch(`${server.origin}/v2/library/hello/tags/list`);
    expect(get.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5173');
    expect(get.headers.get('vary')).toContain('Origin');
  });

  it('sends no CORS headers and leaves OPTIONS to the registry without cors', async () => {
    const registry = createFakeRegistry();
    const server = await registry.listen();
    open.push(server);
    const answer = await preflight(`${server.origin}/v2/`);
    expect(answer.status).not.toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    expect(registry.calls).toEqual([expect.objectContaining({ method: 'OPTIONS' })]);
    const get = await fetch(`${server.origin}/v2/`);
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });

  it.each([
    [{ prot: 5000 }, 'prot', /has no option `prot` \(did you mean `port`\?\)/],
    [{ cors: 'yes' }, 'cors', /`cors` must be true, false, '\*' or an origin/],
    [{ cors: 'http://127.0.0.1:5173/app' }, 'cors', /`cors` must be/],
    [{ cors: 1 }, 'cors', /`cors` must be/],
  ])('refuses listen(%j) with InvalidOptionError', async (options, option, message) => {
    const registry = createFakeRegistry();
    const error = await registry.listen(options as never).catch((caught: unknown) => caught);
    expect(InvalidOptionError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ option, message: expect.stringMatching(message) });
    expect((error as Error).message).toMatch(/^@regkit\/testing: /);
  });
});
