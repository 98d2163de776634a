import { ResourceNotFoundError } from '@regkit/core';
import { describe, expect, it } from 'vitest';
import { FIXTURES } from './fixtures';
import { useFakeDockerHub, useFakeRegistry } from './use-fake-registry';

describe('useFakeRegistry in transport mode', () => {
  const fake = useFakeRegistry({ mode: 'transport' });

  it('hands out a Registry on the fake’s domain that needs no network', async () => {
    expect(fake.origin).toBe('https://registry.fake.test');
    expect(fake.server).toBeUndefined();
    const client = fake.client();
    expect(client.domain).toBe('registry.fake.test');
    const image = await client.repository('library/golang').images().getByTag('1.12.0');
    expect(image.digest).toBe(FIXTURES.golang.digest);
    fake.registry.putTags('team/app', 3);
    expect(fake.registry.calls).toHaveLength(1);
  });

  it('reset the fake after the previous test', async () => {
    expect(fake.registry.calls).toEqual([]);
    expect(fake.registry.tags('team/app')).toBeUndefined();
    const error = await fake
      .client()
      .repository('team/app')
      .tags()
      .getAll()
      .catch((caught: unknown) => caught);
    expect(ResourceNotFoundError.isInstance(error)).toBe(true);
    expect(fake.registry.unmatched[0]?.explanation).toMatch(/^no repository 'team\/app'/);
  });
});

describe('useFakeDockerHub in msw mode', () => {
  const hub = useFakeDockerHub({ mode: 'msw' });

  it('intercepts the registry, token service and storage origins for fetch', async () => {
    expect(hub.origin).toBe('https://registry-1.docker.io');
    expect(hub.client().domain).toBe('docker.io');
    const challenge = await fetch('https://registry-1.docker.io/v2/');
    expect(challenge.status).toBe(401);
    const tokenResponse = await fetch(
      'https://auth.docker.io/token?service=registry.docker.io&scope=repository:library/hello:pull',
    );
    const { token } = (await tokenResponse.json()) as { token: string };
    const redirect = await fetch(`https://registry-1.docker.io/v2/library/hello/blobs/${FIXTURES.hello.content.config.digest}`, {
      headers: { authorization: `Bearer ${token}` },
      redirect: 'manual',
    });
    expect(redirect.status).toBe(307);
    const blob = await fetch(redirect.headers.get('location') ?? '');
    expect(blob.status).toBe(200);
    expect(hub.registry.cdnCalls).toHaveLength(1);
  });

  it('turns a reset fault into a network error', async () => {
    hub.registry.faults.add({ path: '/v2/', reset: true });
    await expect(fetch('https://registry-1.docker.io/v2/')).rejects.toThrow(TypeError);
  });

  it('lets other origins fail loudly (onUnhandledRequest: error)', async () => {
    await expect(fetch('https://elsewhere.fake.test/')).rejects.toThrow();
  });
});
