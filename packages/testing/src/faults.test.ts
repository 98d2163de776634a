import { TransportError } from '@regkit/core';
import { describe, expect, it } from 'vitest';
import { sha256Digest } from './content/digest';
import { createFakeRegistry } from './fake-registry';
import { FIXTURES } from './fixtures';
import { createHandlerTransport } from './handler-transport';
import { ALL_MANIFEST_TYPES, send } from './test-support';

const HELLO = '/v2/library/hello/manifests/latest';
const accept = { accept: ALL_MANIFEST_TYPES };

describe('faults.add', () => {
  it('answers a status once by default, then behaves again', async () => {
    const registry = createFakeRegistry();
    const fault = registry.faults.add({ path: HELLO, status: 503, headers: { 'Retry-After': '2' } });
    const failed = await send(registry, HELLO, { headers: accept });
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBe('2');
    expect(await failed.json()).toEqual({ errors: [{ code: 'UNAVAILABLE', message: 'service unavailable' }] });
    expect((await send(registry, HELLO, { headers: accept })).status).toBe(200);
    expect([fault.hits, fault.remaining]).toEqual([1, 0]);
    expect(registry.calls.map((call) => [call.status, call.fault])).toEqual([
      [503, true],
      [200, undefined],
    ]);
  });

  it('matches method, path prefixes and regular expressions, for a number of times', async () => {
    const registry = createFakeRegistry();
    registry.faults.add({ method: 'head', path: '/v2/library/*', status: 500, times: 2 });
    registry.faults.add({ path: /\/tags\/list\?n=1$/, status: 502, times: Number.POSITIVE_INFINITY });
    expect((await send(registry, HELLO, { method: 'HEAD', headers: accept })).status).toBe(500);
    expect((await send(registry, HELLO, { headers: accept })).status).toBe(200);
    expect((await send(registry, HELLO, { method: 'HEAD', headers: accept })).status).toBe(500);
    expect((await send(registry, HELLO, { method: 'HEAD', headers: accept })).status).toBe(200);
    for (let i = 0; i < 3; i += 1) {
      const response = await send(registry, '/v2/library/hello/tags/list?n=1');
      expect(response.status).toBe(502);
      expect(await response.text()).toBe('502 fault injected by @regkit/testing\n');
    }
    expect((await send(registry, '/v2/library/hello/tags/list')).status).toBe(200);
    expect(registry.faults.list.map((fault) => fault.hits)).toEqual([2, 3]);
  });

  it('serves bytes that do not match the digest with wrongDigest', async () => {
    const registry = createFakeRegistry();
    registry.faults.add({ path: HELLO, wrongDigest: true, times: 2 });
    const corrupted = await send(registry, HELLO, { headers: accept });
    const bytes = new Uint8Array(await corrupted.arrayBuffer());
    expect(corrupted.headers.get('docker-content-digest')).toBe(FIXTURES.hello.digest);
    expect(bytes.length).toBe(FIXTURES.hello.content.size);
    expect(sha256Digest(bytes)).not.toBe(FIXTURES.hello.digest);
    const head = await send(registry, HELLO, { method: 'HEAD', headers: accept });
    expect(head.headers.get('docker-content-digest')).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(head.headers.get('docker-content-digest')).not.toBe(FIXTURES.hello.digest);
  });

  it('expires tokens before the request with expireTokens', async () => {
    const registry = createFakeRegistry({ auth: 'token' });
    const tokenResponse = await registry.handle(
      new Request('https://auth.fake.test/token?service=registry.fake.test&scope=repository:library/hello:pull'),
    );
    const { token } = (await tokenResponse.json()) as { token: string };
    const headers = { ...accept, authorization: `Bearer ${token}` };
    expect((await send(registry, HELLO, { headers })).status).toBe(200);
    registry.faults.add({ path: HELLO, expireTokens: true });
    const expired = await send(registry, HELLO, { headers });
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('delays answers, and gives up the delay when the request is aborted', async () => {
    const registry = createFakeRegistry();
    registry.faults.add({ path: '/v2/', delayMs: 80 });
    const started = performance.now();
    expect((await send(registry, '/v2/')).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(70);

    registry.faults.add({ path: '/v2/', delayMs: 10_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const aborted = await send(registry, '/v2/', { signal: controller.signal });
    expect(aborted.type).toBe('error');
  });

  it('drops the connection with reset: a network error from handle(), TransportError through the transport', async () => {
    const registry = createFakeRegistry();
    registry.faults.add({ path: HELLO, reset: true, times: 2 });
    const dropped = await send(registry, HELLO);
    expect(dropped.type).toBe('error');
    const transport = createHandlerTransport(registry);
    const error = await transport
      .send({ method: 'GET', url: `${registry.origin}${HELLO}`, headers: accept })
      .catch((caught: unknown) => caught);
    expect(TransportError.isInstance(error)).toBe(true);
    expect(registry.calls.map((call) => call.status)).toEqual([0, 0]);
  });

  it('cuts the body after truncateBody bytes, keeping the full Content-Length', async () => {
    const registry = createFakeRegistry();
    const digest = FIXTURES.hello.content.layers[0]?.digest as string;
    const path = `/v2/library/hello/blobs/${digest}`;
    registry.faults.add({ path, truncateBody: 10, times: 2 });
    const response = await send(registry, path);
    expect(response.headers.get('content-length')).toBe(String(FIXTURES.hello.content.layers[0]?.size));
    await expect(response.arrayBuffer()).rejects.toThrow(/dropped after 10 body bytes/);

    const transport = createHandlerTransport(registry);
    const viaTransport = await transport.send({ method: 'GET', url: `${registry.origin}${path}`, headers: {} });
    const reader = viaTransport.body?.getReader();
    const first = await reader?.read();
    expect(first?.value?.length).toBe(10);
    const error = await reader?.read().catch((caught: unknown) => caught);
    expect(TransportError.isInstance(error)).toBe(true);
  });

  it('applies to token service requests too', async () => {
    const registry = createFakeRegistry({ auth: 'token' });
    registry.faults.add({ path: '/token', status: 500 });
    const response = await registry.handle(new Request('https://auth.fake.test/token?service=registry.fake.test'));
    expect(response.status).toBe(500);
    expect(registry.tokenCalls).toEqual([expect.objectContaining({ status: 500, granted: [] })]);
  });

  it('is cleared by faults.clear() and reset()', async () => {
    const registry = createFakeRegistry();
    registry.faults.add({ path: '/v2/', status: 500, times: Number.POSITIVE_INFINITY });
    registry.faults.clear();
    expect((await send(registry, '/v2/')).status).toBe(200);
    registry.faults.add({ path: '/v2/', status: 500 });
    registry.reset();
    expect(registry.faults.list).toEqual([]);
    expect((await send(registry, '/v2/')).status).toBe(200);
  });

  it('validates faults with clear messages', () => {
    const { faults } = createFakeRegistry();
    expect(() => faults.add({ path: 'v2/', status: 500 })).toThrow(/path must start with '\/'/);
    expect(() => faults.add({ path: '/v2/' })).toThrow(/at least one effect/);
    expect(() => faults.add({ path: '/v2/', status: 700 })).toThrow(/status must be/);
    expect(() => faults.add({ path: '/v2/', status: 500, times: 0 })).toThrow(/times must be/);
    expect(() => faults.add({ path: '/v2/', truncateBody: -1 })).toThrow(/truncateBody/);
    expect(() => faults.add({ path: '/v2/', reset: true, status: 500 })).toThrow(/cannot also answer/);
  });
});
