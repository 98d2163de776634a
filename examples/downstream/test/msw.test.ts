/**
 * The same fake through MSW: code that calls fetch against
 * https://registry-1.docker.io directly, with no client library at all.
 */
import { FIXTURES, MEDIA_TYPES } from '@regkit/testing';
import { useFakeDockerHub } from '@regkit/testing/vitest';
import { expect, it } from 'vitest';

const hub = useFakeDockerHub({ mode: 'msw' });
const ALPINE = 'https://registry-1.docker.io/v2/library/alpine/manifests/latest';

async function pullToken(realm: string, image: string): Promise<string> {
  const response = await fetch(`${realm}?service=registry.docker.io&scope=repository:library/${image}:pull`);
  return ((await response.json()) as { token: string }).token;
}

async function headLatest(token: string): Promise<Response> {
  return fetch(ALPINE, {
    method: 'HEAD',
    headers: { authorization: `Bearer ${token}`, accept: [MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerManifest].join(', ') },
  });
}

it('answers plain fetch on the real Docker Hub hosts, and a HEAD costs no pull', async () => {
  const challenge = await fetch(ALPINE, { method: 'HEAD' });
  expect(challenge.status).toBe(401);
  const realm = /realm="([^"]+)"/.exec(challenge.headers.get('www-authenticate') ?? '')?.[1];
  expect(realm).toBe('https://auth.docker.io/token');

  const head = await headLatest(await pullToken(realm ?? '', 'alpine'));
  expect(head.headers.get('docker-content-digest')).toBe(FIXTURES.alpine.digest);
  expect(head.headers.get('ratelimit-remaining')).toBe('100;w=21600');
  expect(hub.registry.rateLimit?.remaining()).toBe(100);
});

it('injects a 503 once, for retry tests', async () => {
  const token = await pullToken('https://auth.docker.io/token', 'alpine');
  hub.registry.faults.add({ method: 'HEAD', path: '/v2/library/alpine/manifests/latest', status: 503 });
  expect((await headLatest(token)).status).toBe(503);
  expect((await headLatest(token)).status).toBe(200);
  expect(hub.registry.calls.map((call) => call.status)).toEqual([503, 200]);
});
