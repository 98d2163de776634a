/**
 * What a project using regkit writes to test its registry code: the
 * simulated Docker Hub from @regkit/testing on loopback ports, reached
 * through @regkit/core's fetch transport (no undici, no MSW).
 */
import { createTokenAuthenticator } from '@regkit/auth-token';
import { createFetchTransport, Registry, TooManyRequestsError } from '@regkit/core';
import { FIXTURES } from '@regkit/testing';
import { useFakeDockerHub } from '@regkit/testing/vitest';
import { expect, it } from 'vitest';

// beforeAll: registry, auth.docker.io and the blob CDN each on a 127.0.0.1 port;
// afterEach: reset; afterAll: close.
const hub = useFakeDockerHub();

/** What a downstream project would build itself: docker.io, through a mirror on the loopback server. */
function dockerHub(): Registry {
  return new Registry({
    domain: 'docker.io',
    proxy: hub.host,
    protocol: 'http',
    transport: createFetchTransport(),
    authenticator: createTokenAuthenticator(),
    retry: { limit: 0 },
  });
}

it('pulls golang:1.12.0 with exactly one token request, scope repository:library/golang:pull', async () => {
  const image = await dockerHub().image('golang:1.12.0');

  expect(image.digest).toBe(FIXTURES.golang.digest);
  expect(image.platforms.map((p) => `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`)).toEqual([
    'linux/amd64',
    'linux/arm64/v8',
    'windows/amd64',
  ]);
  expect(hub.registry.tokenCalls).toEqual([
    expect.objectContaining({
      grant: 'anonymous',
      service: 'registry.docker.io',
      scopes: ['repository:library/golang:pull'],
      granted: ['repository:library/golang:pull'],
    }),
  ]);
  // The first request met the challenge; the retry carried the token, whose scope the fake recorded.
  expect(hub.registry.calls.map((call) => [call.status, call.tokenScopes])).toEqual([
    [401, undefined],
    [200, ['repository:library/golang:pull']],
  ]);
});

it('downloads a layer from the CDN without sending it the registry token', async () => {
  const layer = FIXTURES.hello.content.layers[0];
  if (layer === undefined) throw new Error('hello has a layer');
  const client = hub.client({ authenticator: createTokenAuthenticator() });
  const bytes = await client.repository('hello').blobs().getBytes(layer.digest);

  expect(bytes).toEqual(layer.bytes);
  expect(hub.registry.calls.at(-1)?.status).toBe(307);
  expect(hub.registry.cdnCalls).toEqual([
    expect.objectContaining({ status: 200, headers: expect.not.objectContaining({ authorization: expect.anything() }) }),
  ]);
});

it('reads the pull budget and surfaces the 429 once it is spent', async () => {
  hub.registry.rateLimit?.setRemaining(1);
  const client = dockerHub();
  await client.repository('alpine').images().getByTag('latest');
  expect(client.rateLimit).toMatchObject({ limit: 100, remaining: 0, windowSeconds: 21600 });

  const error = await client
    .repository('alpine')
    .images()
    .getByTag('latest')
    .catch((caught: unknown) => caught);
  expect(TooManyRequestsError.isInstance(error)).toBe(true);
  expect((error as TooManyRequestsError).errors[0]?.message).toMatch(/^You have reached your pull rate limit/);
});

it('explains what was missing when a tag is unknown', async () => {
  await dockerHub()
    .repository('golang')
    .images()
    .getByTag('1.13')
    .catch(() => undefined);
  expect(hub.registry.unmatched.map((entry) => entry.explanation)).toEqual(["no tag '1.13' in library/golang; tags: 1.12.0"]);
});
