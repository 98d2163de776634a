import { Registry, TransportError } from '@regkit/core';
import type { TransportResponse } from '@regkit/core/spec';
import { describe, expect, it } from 'vitest';
import { MEDIA_TYPES } from './content/media-types';
import { createFakeRegistry } from './fake-registry';
import { FIXTURES } from './fixtures';
import { createHandlerTransport } from './handler-transport';

async function readAll(response: TransportResponse): Promise<string> {
  return response.body === null ? '' : new Response(response.body).text();
}

describe('createHandlerTransport', () => {
  it('speaks transport v1 and returns status, lower-case headers, url and a body stream', async () => {
    const registry = createFakeRegistry();
    const transport = createHandlerTransport(registry);
    expect(transport.specificationVersion).toBe('v1');
    const url = 'https://registry.fake.test/v2/library/golang/manifests/1.12.0';
    const response = await transport.send({ method: 'GET', url, headers: { accept: MEDIA_TYPES.dockerManifestList } });
    expect(response.status).toBe(200);
    expect(response.url).toBe(url);
    expect(response.headers['docker-content-digest']).toBe(FIXTURES.golang.digest);
    expect(response.headers['content-type']).toBe(MEDIA_TYPES.dockerManifestList);
    expect(await readAll(response)).toBe(new TextDecoder().decode(FIXTURES.golang.content.bytes));
    expect(registry.calls).toEqual([
      expect.objectContaining({ method: 'GET', path: '/v2/library/golang/manifests/1.12.0', status: 200 }),
    ]);
  });

  it('resolves for 4xx and returns redirects without following them', async () => {
    const transport = createHandlerTransport(createFakeRegistry());
    const missing = await transport.send({ method: 'GET', url: 'https://registry.fake.test/v2/nope/tags/list', headers: {} });
    expect(missing.status).toBe(404);
    const redirect = await transport.send({ method: 'GET', url: 'https://registry.fake.test/v2', headers: {} });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe('/v2/');
  });

  it('returns a null body for HEAD, and Content-Length from the registry', async () => {
    const transport = createHandlerTransport(createFakeRegistry());
    const response = await transport.send({
      method: 'HEAD',
      url: `https://registry.fake.test/v2/library/hello/blobs/${FIXTURES.hello.content.config.digest}`,
      headers: {},
    });
    expect(response.status).toBe(200);
    expect(response.body).toBeNull();
    expect(response.headers['content-length']).toBe(String(FIXTURES.hello.content.config.size));
  });

  it('routes by origin between several registries and rejects unknown origins with TransportError', async () => {
    const first = createFakeRegistry({ origin: 'https://one.fake.test' });
    const second = createFakeRegistry({ origin: 'https://two.fake.test', fixtures: false });
    second.putTags('only/here', 1);
    const transport = createHandlerTransport([first, second]);
    const fromSecond = await transport.send({ method: 'GET', url: 'https://two.fake.test/v2/_catalog', headers: {} });
    expect(JSON.parse(await readAll(fromSecond))).toEqual({ repositories: ['only/here'] });
    expect(first.calls).toHaveLength(0);
    const error = await transport
      .send({ method: 'GET', url: 'https://three.fake.test/v2/', headers: {} })
      .catch((e: unknown) => e);
    expect(TransportError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('https://three.fake.test');
  });

  it('names a failed request by its redacted URL, never a credential in its query', async () => {
    const transport = createHandlerTransport(createFakeRegistry());
    const error = await transport
      .send({ method: 'GET', url: 'https://three.fake.test/token?password=hunter2&scope=x', headers: {} })
      .catch((e: unknown) => e);
    expect(TransportError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('https://three.fake.test/token');
    expect((error as Error).message).not.toContain('hunter2');
  });

  it('rejects with the signal reason when aborted before sending, and errors the body when aborted mid-body', async () => {
    const registry = createFakeRegistry();
    const transport = createHandlerTransport(registry);
    const reason = new Error('stop');
    const before = await transport
      .send({ method: 'GET', url: 'https://registry.fake.test/v2/', headers: {} }, { signal: AbortSignal.abort(reason) })
      .catch((e: unknown) => e);
    expect(before).toBe(reason);
    expect(registry.calls).toHaveLength(0);

    const controller = new AbortController();
    const response = await transport.send(
      {
        method: 'GET',
        url: `https://registry.fake.test/v2/library/hello/blobs/${FIXTURES.hello.content.layers[0]?.digest}`,
        headers: {},
      },
      { signal: controller.signal },
    );
    controller.abort(reason);
    await expect(readAll(response)).rejects.toBe(reason);
  });

  it('routes the token service origin of a token-mode registry to it', async () => {
    const registry = createFakeRegistry({ auth: 'token' });
    const transport = createHandlerTransport(registry);
    const challenge = await transport.send({
      method: 'GET',
      url: 'https://registry.fake.test/v2/library/hello/tags/list',
      headers: {},
    });
    expect(challenge.status).toBe(401);
    await challenge.body?.cancel();
    const token = await transport.send({
      method: 'GET',
      url: 'https://auth.fake.test/token?service=registry.fake.test&scope=repository:library/hello:pull',
      headers: {},
    });
    expect(token.status).toBe(200);
    const { token: value } = JSON.parse(await readAll(token)) as { token: string };
    const retry = await transport.send({
      method: 'GET',
      url: 'https://registry.fake.test/v2/library/hello/tags/list',
      headers: { authorization: `Bearer ${value}` },
    });
    expect(retry.status).toBe(200);
    expect(registry.tokenCalls).toHaveLength(1);
  });

  it('validates its targets eagerly', () => {
    expect(() => createHandlerTransport([])).toThrow(/at least one registry/);
    expect(() => createHandlerTransport({} as never)).toThrow(/handle\(\) and serves\(\)/);
  });

  it('drives @regkit/core end to end: tags across Link pages and the catalog', async () => {
    const registry = createFakeRegistry();
    const names = registry.putTags('team/app', 25);
    const client = new Registry({ domain: 'registry.fake.test', transport: createHandlerTransport(registry), pageSize: 10 });
    expect(await client.repository('team/app').tags().getAll()).toEqual(names);
    const tagPages = registry.calls.filter((call) => call.path === '/v2/team/app/tags/list');
    expect(tagPages.map((call) => new URL(call.url).search)).toEqual(['?n=10', '?last=t09&n=10', '?last=t19&n=10']);
    expect(await client.repositories()).toEqual(['library/alpine', 'library/golang', 'library/hello', 'team/app']);
  });
});
