import { describe, expect, it } from 'vitest';
import { createFakeRegistry } from '../fake-registry';
import { FIXTURES } from '../fixtures';
import { ALL_MANIFEST_TYPES, send } from '../test-support';

const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

function registry() {
  return createFakeRegistry({
    auth: 'basic',
    basicRealm: 'basic-realm',
    users: [
      { username: 'admin', password: 'secret' },
      { username: 'reader', password: 'pw', access: { 'library/*': ['pull'] } },
    ],
  });
}

describe("auth: 'basic'", () => {
  it('challenges anonymous requests with 401 Basic realm and the 2.8 UNAUTHORIZED body', async () => {
    const fake = registry();
    const ping = await send(fake, '/v2/');
    expect(ping.status).toBe(401);
    expect(ping.headers.get('www-authenticate')).toBe('Basic realm="basic-realm"');
    expect(await ping.json()).toEqual({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail: null }] });
    const tags = await send(fake, '/v2/library/golang/tags/list');
    expect(await tags.json()).toEqual({
      errors: [
        {
          code: 'UNAUTHORIZED',
          message: 'authentication required',
          detail: [{ Type: 'repository', Class: '', Name: 'library/golang', Action: 'pull' }],
        },
      ],
    });
  });

  it('challenges wrong passwords, unknown users and Bearer headers alike', async () => {
    const fake = registry();
    for (const authorization of [basic('admin', 'wrong'), basic('nobody', 'secret'), 'Bearer abc', 'Basic !!!']) {
      const response = await send(fake, '/v2/', { headers: { authorization } });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Basic realm="basic-realm"');
    }
  });

  it('lets valid credentials through, any scheme case', async () => {
    const fake = registry();
    expect((await send(fake, '/v2/', { headers: { authorization: basic('admin', 'secret') } })).status).toBe(200);
    const manifest = await send(fake, '/v2/library/golang/manifests/1.12.0', {
      headers: { authorization: basic('admin', 'secret').replace('Basic', 'basic'), accept: ALL_MANIFEST_TYPES },
    });
    expect(manifest.status).toBe(200);
    expect(manifest.headers.get('docker-content-digest')).toBe(FIXTURES.golang.digest);
  });

  it("enforces a user's access table with 403 DENIED", async () => {
    const fake = registry();
    const headers = { authorization: basic('reader', 'pw') };
    expect((await send(fake, '/v2/library/hello/tags/list', { headers })).status).toBe(200);
    const del = await send(fake, `/v2/library/hello/manifests/${FIXTURES.hello.digest}`, { method: 'DELETE', headers });
    expect(del.status).toBe(403);
    expect(await del.json()).toEqual({ errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }] });
    expect((await send(fake, '/v2/_catalog', { headers })).status).toBe(403);
    expect((await send(fake, '/v2/_catalog', { headers: { authorization: basic('admin', 'secret') } })).status).toBe(200);
    expect(fake.hasManifest('library/hello', FIXTURES.hello.digest)).toBe(true);
  });

  it('answers router misses without asking for credentials, as 2.8 does', async () => {
    const response = await send(registry(), '/v2/Bad/tags/list');
    expect(response.status).toBe(404);
  });

  it('never records the password', async () => {
    const fake = registry();
    await send(fake, '/v2/', { headers: { authorization: basic('admin', 'secret') } });
    expect(fake.calls[0]?.headers.authorization).toBe('Basic <redacted>');
  });

  it('validates users eagerly', () => {
    expect(() => createFakeRegistry({ auth: 'basic', users: [{ username: 'a:b', password: 'x' }] })).toThrow(/without ':'/);
    expect(() =>
      createFakeRegistry({
        auth: 'basic',
        users: [
          { username: 'a', password: 'x' },
          { username: 'a', password: 'y' },
        ],
      }),
    ).toThrow(/duplicate username "a"/);
    // @ts-expect-error not an auth mode
    expect(() => createFakeRegistry({ auth: 'digest' })).toThrow(/auth must be none, basic or token/);
  });
});
