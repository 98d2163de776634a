/**
 * @regkit/core and @regkit/auth-token against the simulated Docker Hub
 * (Hub cannot run here): the token dance, blobs from the CDN, the pull
 * budget, and recovery from injected faults, through the handler transport
 * and through undici on loopback.
 */
import { createTokenAuthenticator } from '@regkit/auth-token';
import { type Registry, TooManyRequestsError, type Transport, UnauthorizedError } from '@regkit/core';
import { FIXTURES } from '@regkit/testing';
import { type FakeRegistryHandle, useFakeDockerHub } from '@regkit/testing/vitest';
import { createUndiciTransport } from '@regkit/transport-undici';
import { describe, expect, it } from 'vitest';

const GOLANG_PULL = 'repository:library/golang:pull';

function hubSuite(name: string, hub: FakeRegistryHandle, transport: () => Transport | undefined) {
  function client(options: { retries?: number } = {}): Registry {
    const chosen = transport();
    return hub.client({
      authenticator: createTokenAuthenticator(),
      ...(chosen === undefined ? {} : { transport: chosen }),
      retry: { limit: options.retries ?? 0, maxDelayMs: 10 },
    });
  }

  describe(name, () => {
    it('pulls an official image by its short name with one token request', async () => {
      const image = await client().image('golang:1.12.0');
      expect(image.digest).toBe(FIXTURES.golang.digest);
      expect(hub.registry.tokenCalls.map((call) => [call.grant, call.scopes, call.granted])).toEqual([
        ['anonymous', [GOLANG_PULL], [GOLANG_PULL]],
      ]);
      expect(hub.registry.calls.at(-1)?.tokenScopes).toEqual([GOLANG_PULL]);
    });

    it('follows blob redirects to the CDN without the registry token', async () => {
      const { config } = FIXTURES.hello.content;
      const bytes = await client().repository('hello').blobs().getBytes(config.digest);
      expect(Buffer.from(bytes).equals(Buffer.from(config.bytes))).toBe(true);
      expect(hub.registry.calls.at(-1)?.status).toBe(307);
      expect(hub.registry.cdnCalls).toHaveLength(1);
      expect(hub.registry.cdnCalls[0]?.headers.authorization).toBeUndefined();
    });

    it('resumes a blob cut off by the CDN with a Range request', async () => {
      const layer = FIXTURES.golang.content.images[0]?.layers[0];
      if (layer === undefined) throw new Error('golang/amd64 has a layer');
      hub.registry.faults.add({ path: /^\/registry-v2\//, truncateBody: 50 });
      const download = await client().repository('golang').blobs().get(layer.digest);
      const bytes = new Uint8Array(await new Response(download.body).arrayBuffer());
      expect(Buffer.from(bytes).equals(Buffer.from(layer.bytes))).toBe(true);
      expect(hub.registry.cdnCalls.map((call) => [call.status, call.headers.range])).toEqual([
        [200, undefined],
        [206, 'bytes=50-'],
      ]);
    });

    it('spends the pull budget on GET only and fails with TooManyRequestsError once it is gone', async () => {
      hub.registry.rateLimit?.setRemaining(1);
      const registry = client();
      const images = registry.repository('alpine').images();
      const resolved = await images.resolve('latest');
      expect(resolved.digest).toBe(FIXTURES.alpine.digest);
      expect(hub.registry.rateLimit?.remaining()).toBe(1);
      await images.getByTag('latest');
      expect(registry.rateLimit).toMatchObject({ limit: 100, remaining: 0, windowSeconds: 21600, source: '127.0.0.1' });
      const error = await images.getByTag('latest').catch((caught: unknown) => caught);
      expect(TooManyRequestsError.isInstance(error)).toBe(true);
      expect((error as TooManyRequestsError).rateLimit?.remaining).toBe(0);
    });

    it('has no catalog, and hides unknown repositories behind 401', async () => {
      const registry = client();
      expect(UnauthorizedError.isInstance(await registry.repositories().catch((caught: unknown) => caught))).toBe(true);
      const missing = await registry
        .repository('no-such-image')
        .images()
        .getByTag('latest')
        .catch((caught: unknown) => caught);
      expect(UnauthorizedError.isInstance(missing)).toBe(true);
      expect(hub.registry.unmatched.map((entry) => entry.explanation)).toEqual([
        expect.stringContaining("no repository 'library/no-such-image'"),
      ]);
    });

    it('retries an injected 503 and re-authenticates after tokens expire', async () => {
      hub.registry.faults.add({ method: 'GET', path: '/v2/library/golang/manifests/1.12.0', status: 503 });
      const registry = client({ retries: 2 });
      const golang = registry.repository('golang').images();
      expect((await golang.getByTag('1.12.0')).digest).toBe(FIXTURES.golang.digest);
      expect(hub.registry.calls.filter((call) => call.path.endsWith('/1.12.0')).map((call) => call.status)).toContain(503);

      hub.registry.faults.add({ path: '/v2/library/golang/manifests/1.12.0', expireTokens: true });
      expect((await golang.getByTag('1.12.0')).digest).toBe(FIXTURES.golang.digest);
      expect(hub.registry.tokenCalls).toHaveLength(2);
    });
  });
}

hubSuite('simulated Docker Hub through the handler transport', useFakeDockerHub({ mode: 'transport' }), () => undefined);

let undici: Transport | undefined;
hubSuite('simulated Docker Hub on loopback through undici', useFakeDockerHub(), () => {
  undici ??= createUndiciTransport();
  return undici;
});
