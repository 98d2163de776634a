import { describe, expect, it } from 'vitest';
import type { Authenticator } from '../authenticator';
import { Registry } from '../registry';
import type { RegistryEvent } from './events';
import { recordingTransport } from './test-transport';

const SECRET = 'event-secret-token';

function tokenAuthenticator(): Authenticator {
  let token: string | undefined;
  return {
    specificationVersion: 'v1',
    name: 'test-token',
    handleRequest: async () => (token ? { authorization: `Bearer ${token}` } : undefined),
    async handleResponse(context) {
      const realm = context.challenges[0]?.params.realm;
      if (context.response.status !== 401 || realm === undefined || context.resends > 0) return { resend: false };
      const answer = await context.http.send({ method: 'GET', url: `${realm}?account=bob&password=${SECRET}`, headers: {} });
      token = JSON.parse(new TextDecoder().decode(answer.body)).token;
      return { resend: true };
    },
  };
}

function world() {
  let busy = 1;
  return recordingTransport((request) => {
    if (request.url.startsWith('https://auth.test/')) return { status: 200, body: JSON.stringify({ token: SECRET }) };
    if (request.url.startsWith('https://storage.test/')) return { status: 200, body: 'blob' };
    if (request.url.includes('/blobs/'))
      return { status: 307, headers: { location: 'https://storage.test/b?X-Amz-Signature=sig' } };
    if (request.headers.authorization !== `Bearer ${SECRET}`) {
      return { status: 401, headers: { 'www-authenticate': 'Bearer realm="https://auth.test/token",service="r"' } };
    }
    if (busy-- > 0) return { status: 503, headers: { 'retry-after': '0' } };
    return { status: 200 };
  });
}

describe('onEvent', () => {
  it('reports requests, responses, auth, retries, waits and redirects, redacted', async () => {
    const events: RegistryEvent[] = [];
    const registry = new Registry({
      domain: 'registry.test',
      transport: world(),
      authenticator: tokenAuthenticator(),
      retry: { initialDelayMs: 1, maxDelayMs: 2 },
      onEvent: (event) => events.push(event),
    });
    await registry.ping();
    await registry.requester.sendForBytes({ method: 'GET', url: '/v2/app/blobs/sha256:00' }, 100, 'blob');
    const types = events.map((event) => event.type);
    expect(types).toContain('request');
    expect(types).toContain('response');
    expect(types).toContain('retry');
    expect(types).toContain('redirect');
    const auth = events.filter((event) => event.type === 'auth');
    expect(auth.map((event) => event.action)).toEqual(['auth-request', 'challenge-answered']);
    const retry = events.find((event) => event.type === 'retry');
    expect(retry).toMatchObject({ method: 'GET', url: 'https://registry.test/v2/', attempt: 1, reason: 'ServerError 503' });
    const redirect = events.find((event) => event.type === 'redirect');
    expect(redirect).toMatchObject({ status: 307, credentialsDropped: true });
    const second = events.filter((event) => event.type === 'request' && event.url === 'https://registry.test/v2/');
    expect(second.map((event) => (event.type === 'request' ? event.attempt : 0))).toEqual([1, 1, 2]);
    const text = JSON.stringify(events);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('X-Amz-Signature=sig');
    expect(events.some((event) => event.type === 'response' && event.durationMs >= 0)).toBe(true);
  });

  it('reports a rate-limit wait', async () => {
    const events: RegistryEvent[] = [];
    let calls = 0;
    const transport = recordingTransport(() =>
      calls++ === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 },
    );
    const registry = new Registry({ domain: 'registry.test', transport, onEvent: (event) => events.push(event) });
    await registry.ping();
    expect(events.find((event) => event.type === 'wait')).toMatchObject({
      reason: 'rate-limit',
      origin: 'https://registry.test',
    });
  });

  it('ignores a listener that throws or rejects', async () => {
    const throwing = (event: RegistryEvent): void => {
      if (event.type === 'response') throw new Error('listener broke');
    };
    const rejecting = async (): Promise<void> => {
      throw new Error('async listener broke');
    };
    for (const onEvent of [throwing, rejecting]) {
      const registry = new Registry({
        domain: 'registry.test',
        transport: world(),
        authenticator: tokenAuthenticator(),
        retry: { initialDelayMs: 1, maxDelayMs: 2 },
        onEvent,
      });
      await registry.ping();
    }
  });

  it('must be a function', () => {
    expect(() => new Registry({ domain: 'registry.test', onEvent: 'log' as unknown as () => void })).toThrow(/onEvent/);
  });
});
