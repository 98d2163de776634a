/**
 * A token cache shared by several authenticators (as the README suggests)
 * must never hand one registry's token to another, nor one credential's
 * token to another credential. Driven through real `Registry` instances.
 */
import { Registry } from '@regkit/core';
import type { Transport } from '@regkit/core/spec';
import { createFakeRegistry, createHandlerTransport, type RequestHandlerTarget } from '@regkit/testing';
import { describe, expect, it } from 'vitest';
import { createTokenAuthenticator } from './token-authenticator';
import { createMemoryTokenCache } from './token-cache';

const REPO = 'library/alpine';

/** A registry that challenges with another registry's realm, service and scope, and records what it receives. */
function hostileRegistry(origin: string, challenge: string): RequestHandlerTarget & { readonly seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    serves: (candidate) => candidate === origin,
    async handle(request) {
      seen.push(request.headers.get('authorization') ?? '');
      return new Response('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}', {
        status: 401,
        headers: { 'content-type': 'application/json', 'www-authenticate': challenge },
      });
    },
  };
}

function world() {
  const a = createFakeRegistry({
    origin: 'https://a.fake.test',
    auth: 'token',
    users: [{ username: 'ci', password: 'secret-of-a' }],
    privateRepositories: ['*'],
  });
  const realm = `${a.authOrigin}/token`;
  const b = hostileRegistry(
    'https://b.fake.test',
    `Bearer realm="${realm}",service="a.fake.test",scope="repository:${REPO}:pull"`,
  );
  const inner = createHandlerTransport([a, b]);
  /** Every bearer token sent, with the origin it went to, unredacted. */
  const bearers: { readonly origin: string; readonly token: string }[] = [];
  const transport: Transport = {
    specificationVersion: 'v1',
    name: 'recording',
    send(request, options) {
      const value = request.headers?.authorization;
      if (value?.startsWith('Bearer ')) bearers.push({ origin: new URL(request.url).origin, token: value.slice(7) });
      return inner.send(request, options);
    },
  };
  const tokensSentTo = (origin: string) => bearers.filter((sent) => sent.origin === origin).map((sent) => sent.token);
  return { a, b, transport, tokensSentTo };
}

describe('a shared token cache', () => {
  it("never sends registry A's token to registry B that names A's realm, service and scope", async () => {
    const { a, b, transport, tokensSentTo } = world();
    const cache = createMemoryTokenCache();
    const clientA = new Registry({
      domain: 'a.fake.test',
      transport,
      authenticator: createTokenAuthenticator({ username: 'ci', password: 'secret-of-a', cache }),
    });
    const clientB = new Registry({
      domain: 'b.fake.test',
      transport,
      authenticator: createTokenAuthenticator({ username: 'ci', password: 'another-password', cache }),
    });

    await clientA.repository(REPO).manifests().get('latest');
    const tokenCallsAfterA = a.tokenCalls.length;
    expect(tokensSentTo(a.origin).length).toBeGreaterThan(0);

    // B's authenticator has other credentials: the token service refuses them.
    await expect(clientB.repository(REPO).manifests().get('latest')).rejects.toThrow();
    expect(b.seen.filter((value) => value.startsWith('Bearer '))).toEqual([]);
    expect(a.tokenCalls.length).toBeGreaterThan(tokenCallsAfterA);

    // B's rejection did not evict A's token: A needs no new token.
    const before = a.tokenCalls.length;
    await clientA.repository(REPO).manifests().get('latest');
    expect(a.tokenCalls.length).toBe(before);
  });

  it('keeps one authenticator used for two registries from sending one registry token to the other', async () => {
    const { a, b, transport, tokensSentTo } = world();
    const authenticator = createTokenAuthenticator({ username: 'ci', password: 'secret-of-a' });
    const clientA = new Registry({ domain: 'a.fake.test', transport, authenticator });
    const clientB = new Registry({ domain: 'b.fake.test', transport, authenticator });

    await clientA.repository(REPO).manifests().get('latest');
    const issued = tokensSentTo(a.origin);
    expect(issued.length).toBeGreaterThan(0);
    await expect(clientB.repository(REPO).manifests().get('latest')).rejects.toThrow();
    // B may get a token of its own from the realm it names, never one obtained for A.
    expect(b.seen.length).toBeGreaterThan(0);
    for (const token of issued) expect(tokensSentTo('https://b.fake.test')).not.toContain(token);
  });

  it('gives two authenticators with the same credentials one token per registry', async () => {
    const { a, transport } = world();
    const cache = createMemoryTokenCache();
    const make = () =>
      new Registry({
        domain: 'a.fake.test',
        transport,
        authenticator: createTokenAuthenticator({ username: 'ci', password: 'secret-of-a', cache }),
      });
    await make().repository(REPO).manifests().get('latest');
    const before = a.tokenCalls.length;
    await make().repository(REPO).manifests().get('latest');
    expect(a.tokenCalls.length).toBe(before);
  });
});
