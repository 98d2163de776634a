import { inspect } from 'node:util';
import {
  AuthTokenInvalidError,
  AuthTokenNoBearerError,
  BodyTooLargeError,
  InvalidOptionError,
  TokenRequestError,
} from '@regkit/core';
import type { HeaderMap } from '@regkit/core/spec';
import { describe, expect, it } from 'vitest';
import { createFakeWorld, drive, type FakeWorld, manualClock, REALM, SERVICE, TARGET } from './test-support';
import { createTokenAuthenticator } from './token-authenticator';
import { type CachedToken, createMemoryTokenCache, type TokenCache } from './token-cache';

const ALPINE = ['repository:library/alpine:pull'];
const GOLANG = ['repository:library/golang:pull'];

function run(authenticator: ReturnType<typeof createTokenAuthenticator>, world: FakeWorld, scopes: readonly string[] = ALPINE) {
  return drive(authenticator, { http: world.http, scopes, respond: world.respond });
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('createTokenAuthenticator: the challenge flow', () => {
  it('answers a Bearer challenge with an anonymous token GET and a resend', async () => {
    const world = createFakeWorld();
    const result = await run(createTokenAuthenticator(), world);
    expect(result.status).toBe(200);
    expect(result.authorizations).toEqual([undefined, 'Bearer secret-token-1']);
    expect(world.requests).toHaveLength(1);
    const [request] = world.requests;
    expect(request?.request.method).toBe('GET');
    expect(`${request?.url.origin}${request?.url.pathname}`).toBe(REALM);
    expect(request?.params.get('service')).toBe(SERVICE);
    expect(request?.params.getAll('scope')).toEqual(ALPINE);
    expect(request?.request.headers.authorization).toBeUndefined();
  });

  it('caps the token response at 1 MiB', async () => {
    const world = createFakeWorld({ fail: { status: 200, body: ' '.repeat(1024 * 1024 + 1) } });
    const error = await rejection(run(createTokenAuthenticator(), world));
    expect(BodyTooLargeError.isInstance(error)).toBe(true);
  });

  it('sends Basic credentials to the token service, not to the registry', async () => {
    const world = createFakeWorld({ users: { alice: 'pä:ss' } });
    const result = await run(createTokenAuthenticator({ username: 'alice', password: 'pä:ss' }), world);
    expect(result.status).toBe(200);
    const header = world.requests[0]?.request.headers.authorization;
    expect(header).toBe(`Basic ${Buffer.from('alice:pä:ss', 'utf8').toString('base64')}`);
    expect(world.requests[0]?.basicUser).toBe('alice');
    expect(result.authorizations.every((value) => value === undefined || value.startsWith('Bearer '))).toBe(true);
  });

  it('sends one scope parameter per scope of a multi-scope challenge', async () => {
    const world = createFakeWorld();
    const mount = ['repository:zeta:push,pull', 'repository:test/app:pull'];
    const result = await drive(createTokenAuthenticator(), {
      http: world.http,
      scopes: mount,
      method: 'POST',
      respond: world.respond,
    });
    expect(result.status).toBe(200);
    expect(world.requests[0]?.params.getAll('scope')).toEqual(mount);
  });

  it('asks for a token without scope for GET /v2/', async () => {
    const world = createFakeWorld();
    const result = await drive(createTokenAuthenticator(), {
      http: world.http,
      scopes: [],
      path: '/v2/',
      respond: world.respond,
    });
    expect(result.status).toBe(200);
    expect(world.requests[0]?.params.has('scope')).toBe(false);
    expect(world.requests[0]?.params.get('service')).toBe(SERVICE);
  });

  it('accepts access_token instead of token', async () => {
    const world = createFakeWorld({ tokenField: 'access_token' });
    const result = await run(createTokenAuthenticator(), world);
    expect(result.status).toBe(200);
    expect(result.authorizations.at(-1)).toBe('Bearer secret-token-1');
  });

  it('keeps the realm’s own query parameters', async () => {
    const world = createFakeWorld();
    const respond = (headers: HeaderMap, scopes: readonly string[]) => {
      const answer = world.respond(headers, scopes);
      const challenge = answer.headers['www-authenticate'];
      return challenge ? { ...answer, headers: { 'www-authenticate': challenge.replace(REALM, `${REALM}?account=x`) } } : answer;
    };
    await drive(createTokenAuthenticator(), { http: world.http, scopes: ALPINE, respond });
    expect(world.requests[0]?.params.get('account')).toBe('x');
    expect(world.requests[0]?.params.getAll('scope')).toEqual(ALPINE);
  });

  it('does nothing for responses other than 401', async () => {
    const world = createFakeWorld();
    const authenticator = createTokenAuthenticator();
    for (const status of [200, 403, 404, 500]) {
      const result = await drive(authenticator, { http: world.http, respond: () => ({ status, headers: {} }) });
      expect(result.authorizations).toEqual([undefined]);
    }
    expect(world.requests).toHaveLength(0);
  });
});

describe('createTokenAuthenticator: cache and pre-emptive auth', () => {
  it('sends a cached token up front: no 401 and no token request the second time', async () => {
    const world = createFakeWorld();
    const authenticator = createTokenAuthenticator();
    await run(authenticator, world);
    const second = await run(authenticator, world);
    expect(second.authorizations).toEqual(['Bearer secret-token-1']);
    expect(world.requests).toHaveLength(1);
  });

  it('repo A then repo B: a separate token for B, fetched before sending, never merged with A', async () => {
    const world = createFakeWorld();
    const authenticator = createTokenAuthenticator();
    expect((await run(authenticator, world, ALPINE)).status).toBe(200);
    const b = await run(authenticator, world, GOLANG);
    expect(b.status).toBe(200);
    expect(b.authorizations).toEqual(['Bearer secret-token-2']);
    expect(world.requests.map((r) => r.params.getAll('scope'))).toEqual([ALPINE, GOLANG]);
    // Each token holds only its own repository.
    expect([...(world.issued.get('secret-token-2')?.access.keys() ?? [])]).toEqual(['repository:library/golang']);
    // And A still uses its own token.
    expect((await run(authenticator, world, ALPINE)).authorizations).toEqual(['Bearer secret-token-1']);
    expect(world.requests).toHaveLength(2);
  });

  it('with prefetch off, repo B goes through a 401 first', async () => {
    const world = createFakeWorld();
    const authenticator = createTokenAuthenticator({ prefetch: false });
    await run(authenticator, world, ALPINE);
    const b = await run(authenticator, world, GOLANG);
    expect(b.authorizations).toEqual([undefined, 'Bearer secret-token-2']);
  });

  it('treats action order as irrelevant in cache keys', async () => {
    const world = createFakeWorld();
    const authenticator = createTokenAuthenticator();
    await drive(authenticator, { http: world.http, scopes: ['repository:a:pull,push'], method: 'PUT', respond: world.respond });
    const again = await drive(authenticator, {
      http: world.http,
      scopes: ['repository:a:push,pull'],
      method: 'PUT',
      respond: world.respond,
    });
    expect(again.authorizations).toEqual(['Bearer secret-token-1']);
    expect(world.requests).toHaveLength(1);
  });

  it('adds the actions core asked to a challenge for the same repository: one token for a check before a push', async () => {
    const world = createFakeWorld();
    const authenticator = createTokenAuthenticator();
    const push = ['repository:a:pull,push'];
    // Distribution challenges a HEAD with pull alone, even when a push follows.
    const headOnly = (headers: HeaderMap) => world.respond(headers, ['repository:a:pull']);
    const head = await drive(authenticator, { http: world.http, scopes: push, method: 'HEAD', respond: headOnly });
    expect(head.status).toBe(200);
    expect(world.requests.map((r) => r.params.getAll('scope'))).toEqual([push]);
    const put = await drive(authenticator, { http: world.http, scopes: push, method: 'PUT', respond: world.respond });
    expect(put.authorizations).toEqual(['Bearer secret-token-1']);
    expect(world.requests).toHaveLength(1);
  });

  it('widens a challenge only with what core asked on that repository, never with another one', async () => {
    const world = createFakeWorld();
    const challenged = (headers: HeaderMap) => world.respond(headers, ['repository:a:pull']);
    const scopes = ['repository:a:pull', 'repository:b:pull,push'];
    await drive(createTokenAuthenticator(), { http: world.http, scopes, respond: challenged });
    expect(world.requests[0]?.params.getAll('scope')).toEqual(['repository:a:pull']);
  });

  it('remembers when a registry challenges with other scopes than core derived (ECR Public "aws")', async () => {
    const world = createFakeWorld();
    const respond = (headers: HeaderMap) => world.respond(headers, ['aws']);
    const authenticator = createTokenAuthenticator();
    const first = await drive(authenticator, { http: world.http, scopes: ALPINE, respond });
    expect(first.status).toBe(200);
    expect(world.requests[0]?.params.getAll('scope')).toEqual(['aws']);
    const second = await drive(authenticator, { http: world.http, scopes: ALPINE, respond });
    expect(second.authorizations).toEqual(['Bearer secret-token-1']);
    expect(world.requests).toHaveLength(1);
  });

  it('fetches once for concurrent requests with the same scopes (single flight)', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const world = createFakeWorld({ gate });
    const authenticator = createTokenAuthenticator();
    const flows = Array.from({ length: 10 }, () => run(authenticator, world));
    await new Promise((resolve) => setTimeout(resolve, 10));
    open();
    const results = await Promise.all(flows);
    expect(results.every((result) => result.status === 200)).toBe(true);
    expect(world.requests).toHaveLength(1);
  });

  it('fetches separately for concurrent requests with different scopes', async () => {
    const world = createFakeWorld();
    const authenticator = createTokenAuthenticator();
    const results = await Promise.all([run(authenticator, world, ALPINE), run(authenticator, world, GOLANG)]);
    expect(results.map((result) => result.status)).toEqual([200, 200]);
    expect(world.requests.map((r) => r.params.getAll('scope')).sort()).toEqual([ALPINE, GOLANG].sort());
  });

  it('refreshes a token shortly before it expires, using the injected clock', async () => {
    const clock = manualClock();
    const world = createFakeWorld({ expiresIn: 300 });
    const authenticator = createTokenAuthenticator({ clock, refreshMarginMs: 10_000 });
    await run(authenticator, world);
    clock.advance(289_000);
    expect((await run(authenticator, world)).authorizations).toEqual(['Bearer secret-token-1']);
    clock.advance(2_000);
    expect((await run(authenticator, world)).authorizations).toEqual(['Bearer secret-token-2']);
    expect(world.requests).toHaveLength(2);
  });

  it('defaults a missing expires_in to 60 s', async () => {
    const clock = manualClock();
    const world = createFakeWorld({ expiresIn: null });
    const authenticator = createTokenAuthenticator({ clock });
    await run(authenticator, world);
    clock.advance(49_000);
    expect((await run(authenticator, world)).authorizations).toEqual(['Bearer secret-token-1']);
    clock.advance(2_000);
    expect((await run(authenticator, world)).authorizations).toEqual(['Bearer secret-token-2']);
  });

  it('counts expiry from issued_at when it is plausible', async () => {
    const clock = manualClock();
    const world = createFakeWorld({ expiresIn: 60, issuedAt: () => new Date(clock.now() - 30_000).toISOString() });
    const authenticator = createTokenAuthenticator({ clock, refreshMarginMs: 0 });
    await run(authenticator, world);
    clock.advance(29_000);
    expect((await run(authenticator, world)).authorizations).toEqual(['Bearer secret-token-1']);
    clock.advance(2_000);
    expect((await run(authenticator, world)).authorizations).toEqual(['Bearer secret-token-2']);
  });

  it('ignores an issued_at that a skewed server clock puts in the future or before the lifetime', async () => {
    const clock = manualClock();
    for (const skew of [+120_000, -600_000]) {
      const world = createFakeWorld({ expiresIn: 60, issuedAt: () => new Date(clock.now() + skew).toISOString() });
      const authenticator = createTokenAuthenticator({ clock, refreshMarginMs: 0 });
      await run(authenticator, world);
      clock.advance(59_000);
      expect((await run(authenticator, world)).authorizations).toEqual(['Bearer secret-token-1']);
    }
  });

  it('caps the refresh margin at half the lifetime, so short tokens are still used', async () => {
    const clock = manualClock();
    const world = createFakeWorld({ expiresIn: 10 });
    const authenticator = createTokenAuthenticator({ clock, refreshMarginMs: 60_000 });
    await run(authenticator, world);
    clock.advance(4_000);
    expect((await run(authenticator, world)).authorizations).toEqual(['Bearer secret-token-1']);
  });

  it('keys a shared cache by registry origin, realm, service, scopes and a keyed credential hash, never a secret', async () => {
    const keys: string[] = [];
    const inner = createMemoryTokenCache();
    const cache: TokenCache = {
      get: (key) => inner.get(key),
      set: (key, value: CachedToken) => {
        keys.push(key);
        return inner.set(key, value);
      },
      delete: (key) => inner.delete(key),
    };
    const world = createFakeWorld({ users: { alice: 'alice-password', bob: 'bob-password' } });
    const alice = createTokenAuthenticator({ cache, username: 'alice', password: 'alice-password' });
    const alice2 = createTokenAuthenticator({ cache, username: 'alice', password: 'alice-password' });
    const bob = createTokenAuthenticator({ cache, username: 'bob', password: 'bob-password' });
    const anonymous = createTokenAuthenticator({ cache });
    await run(alice, world);
    // Same user: the other instance has not seen a challenge yet, but finds the token in the shared cache.
    expect((await run(alice2, world)).authorizations).toEqual([undefined, 'Bearer secret-token-1']);
    expect(world.requests).toHaveLength(1);
    expect((await run(bob, world)).authorizations).toEqual([undefined, 'Bearer secret-token-2']); // other user: not shared
    expect((await run(anonymous, world)).authorizations).toEqual([undefined, 'Bearer secret-token-3']);
    expect(keys).toHaveLength(3);
    for (const key of keys) {
      expect(key).toContain(TARGET.origin);
      expect(key).toContain(REALM);
      expect(key).toContain(SERVICE);
      expect(key).toContain('repository:library/alpine:pull');
      for (const secret of ['alice', 'bob', 'password']) expect(key).not.toContain(secret);
    }
  });
});

describe('createTokenAuthenticator: rejected tokens', () => {
  it('drops a rejected cached token, fetches a fresh one and resends', async () => {
    const world = createFakeWorld();
    const authenticator = createTokenAuthenticator();
    await run(authenticator, world);
    for (const record of world.issued.values()) record.revoked = true;
    const result = await run(authenticator, world);
    expect(result.status).toBe(200);
    expect(result.authorizations).toEqual(['Bearer secret-token-1', 'Bearer secret-token-2']);
    // The replacement is cached.
    expect((await run(authenticator, world)).authorizations).toEqual(['Bearer secret-token-2']);
  });

  it('throws AuthTokenInvalidError when the fresh token is rejected too', async () => {
    const world = createFakeWorld();
    const respond = (headers: HeaderMap, scopes: readonly string[]) =>
      headers.authorization
        ? { status: 401, headers: { 'www-authenticate': world.challenge(scopes, 'invalid_token') } }
        : world.respond(headers, scopes);
    const authenticator = createTokenAuthenticator();
    const error = await rejection(drive(authenticator, { http: world.http, scopes: ALPINE, respond }));
    expect(AuthTokenInvalidError.isInstance(error)).toBe(true);
    expect(error.message).toContain('https://registry.example.test');
    expect(error.message).not.toContain('secret-token');
    expect(world.requests).toHaveLength(2);
  });

  it('does not loop on insufficient_scope when it already holds a token asked for those scopes', async () => {
    // The token service grants pull only; the registry wants push too.
    const world = createFakeWorld({ grant: () => ['pull'] });
    const scopes = ['repository:a:pull,push'];
    const result = await drive(createTokenAuthenticator(), { http: world.http, scopes, method: 'PUT', respond: world.respond });
    expect(result.status).toBe(401);
    expect(result.authorizations).toEqual([undefined, 'Bearer secret-token-1']);
    expect(world.requests).toHaveLength(1);
  });

  it('asks for the wider scope when insufficient_scope names more than it holds', async () => {
    const world = createFakeWorld();
    const authenticator = createTokenAuthenticator();
    await run(authenticator, world, ['repository:a:pull']);
    // The same request now needs push as well (the registry says so).
    const respond = (headers: HeaderMap) => world.respond(headers, ['repository:a:pull,push']);
    const result = await drive(authenticator, { http: world.http, scopes: ['repository:a:pull'], respond });
    expect(result.status).toBe(200);
    expect(result.authorizations).toEqual(['Bearer secret-token-1', 'Bearer secret-token-2']);
    expect(world.requests[1]?.params.getAll('scope')).toEqual(['repository:a:pull,push']);
  });

  it('never asks for more resends than core allows', async () => {
    const world = createFakeWorld();
    let challengeIndex = 0;
    // A registry that wants a different scope every time.
    const respond = () => ({
      status: 401,
      headers: { 'www-authenticate': world.challenge([`repository:r${challengeIndex++}:pull`]) },
    });
    const authenticator = createTokenAuthenticator();
    const result = await drive(authenticator, { http: world.http, scopes: ALPINE, respond });
    expect(result.status).toBe(401);
    expect(result.authorizations).toHaveLength(3);
    expect(world.requests).toHaveLength(2);
  });
});

describe('createTokenAuthenticator: Basic challenges', () => {
  const basicRegistry = (password: string) => (headers: HeaderMap) =>
    headers.authorization === `Basic ${btoa(`alice:${password}`)}`
      ? { status: 200, headers: {} }
      : { status: 401, headers: { 'www-authenticate': 'Basic realm="basic-realm"' } };

  it('answers a Basic-only challenge with Basic credentials, and sends them up front afterwards', async () => {
    const world = createFakeWorld();
    const authenticator = createTokenAuthenticator({ username: 'alice', password: 'pw' });
    const first = await drive(authenticator, { http: world.http, respond: basicRegistry('pw') });
    expect(first.status).toBe(200);
    expect(first.authorizations).toEqual([undefined, `Basic ${btoa('alice:pw')}`]);
    const second = await drive(authenticator, { http: world.http, respond: basicRegistry('pw') });
    expect(second.authorizations).toEqual([`Basic ${btoa('alice:pw')}`]);
    expect(world.requests).toHaveLength(0);
  });

  it('does not resend rejected Basic credentials', async () => {
    const world = createFakeWorld();
    const authenticator = createTokenAuthenticator({ username: 'alice', password: 'wrong' });
    const result = await drive(authenticator, { http: world.http, respond: basicRegistry('right') });
    expect(result.status).toBe(401);
    expect(result.authorizations).toHaveLength(2);
  });

  it('throws AuthTokenNoBearerError for a Basic-only challenge without credentials', async () => {
    const world = createFakeWorld();
    const error = await rejection(drive(createTokenAuthenticator(), { http: world.http, respond: basicRegistry('x') }));
    expect(AuthTokenNoBearerError.isInstance(error)).toBe(true);
    expect(error.message).toContain('basic');
  });

  it('throws AuthTokenNoBearerError for a 401 without any challenge', async () => {
    const world = createFakeWorld();
    const error = await rejection(
      drive(createTokenAuthenticator(), { http: world.http, respond: () => ({ status: 401, headers: {} }) }),
    );
    expect(AuthTokenNoBearerError.isInstance(error)).toBe(true);
  });

  it('prefers Bearer when both challenges are offered', async () => {
    const world = createFakeWorld({ users: { alice: 'pw' } });
    const respond = (headers: HeaderMap, scopes: readonly string[]) => {
      const answer = world.respond(headers, scopes);
      const challenge = answer.headers['www-authenticate'];
      return challenge ? { ...answer, headers: { 'www-authenticate': `Basic realm="x", ${challenge}` } } : answer;
    };
    const result = await drive(createTokenAuthenticator({ username: 'alice', password: 'pw' }), { http: world.http, respond });
    expect(result.authorizations.at(-1)).toBe('Bearer secret-token-1');
  });
});

describe('createTokenAuthenticator: OAuth2 POST', () => {
  it('uses the refresh token grant with one space-joined scope field', async () => {
    const world = createFakeWorld();
    world.addRefreshToken('secret-refresh-configured', 'alice');
    const scopes = ['repository:zeta:push,pull', 'repository:test/app:pull'];
    const authenticator = createTokenAuthenticator({ refreshToken: 'secret-refresh-configured', clientId: 'my-tool' });
    const result = await drive(authenticator, { http: world.http, scopes, method: 'POST', respond: world.respond });
    expect(result.status).toBe(200);
    const [post] = world.requests;
    expect(post?.request.method).toBe('POST');
    expect(post?.request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(post?.params ?? [])).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'secret-refresh-configured',
      service: SERVICE,
      client_id: 'my-tool',
      access_type: 'offline',
      scope: 'repository:zeta:push,pull repository:test/app:pull',
    });
  });

  it('uses the password grant with oauth2: true, then the refresh token it got back', async () => {
    const world = createFakeWorld({ users: { alice: 'pw' } });
    const authenticator = createTokenAuthenticator({ username: 'alice', password: 'pw', oauth2: true });
    await run(authenticator, world, ALPINE);
    await run(authenticator, world, GOLANG);
    expect(world.requests.map((r) => r.params.get('grant_type'))).toEqual(['password', 'refresh_token']);
    expect(world.requests[0]?.params.get('client_id')).toBe('regkit');
    expect(world.requests[1]?.params.get('refresh_token')).toBe('secret-refresh-1');
    expect(world.requests[1]?.params.has('password')).toBe(false);
  });

  for (const status of [404, 405] as const) {
    it(`falls back to GET with Basic credentials when POST answers ${status}, and remembers it`, async () => {
      const world = createFakeWorld({ users: { alice: 'pw' }, post: status });
      const authenticator = createTokenAuthenticator({ username: 'alice', password: 'pw', oauth2: true });
      expect((await run(authenticator, world, ALPINE)).status).toBe(200);
      expect((await run(authenticator, world, GOLANG)).status).toBe(200);
      expect(world.requests.map((r) => r.request.method)).toEqual(['POST', 'GET', 'GET']);
      expect(world.requests[1]?.basicUser).toBe('alice');
    });
  }

  it('fails clearly when only a refresh token is configured and the realm does not take POST', async () => {
    const world = createFakeWorld({ post: 404 });
    const authenticator = createTokenAuthenticator({ refreshToken: 'secret-refresh-configured' });
    const error = await rejection(run(authenticator, world));
    expect(TokenRequestError.isInstance(error)).toBe(true);
    expect((error as TokenRequestError).status).toBe(404);
    expect(error.message).not.toContain('secret-refresh');
  });

  it('falls back to the password when a refresh token it obtained is refused', async () => {
    const world = createFakeWorld({ users: { alice: 'pw' } });
    const authenticator = createTokenAuthenticator({ username: 'alice', password: 'pw', oauth2: true });
    await run(authenticator, world, ALPINE);
    world.addRefreshToken('other', 'alice');
    // Forget every refresh token the service issued.
    const issuedRefresh = 'secret-refresh-1';
    const send = world.http.send.bind(world.http);
    const http = {
      send: (request: Parameters<typeof send>[0]) => {
        const body = request.body instanceof Uint8Array ? new TextDecoder().decode(request.body) : '';
        if (body.includes(issuedRefresh)) {
          return Promise.resolve({
            status: 400,
            headers: {},
            url: request.url,
            body: new TextEncoder().encode('{"error":"invalid_grant"}'),
          });
        }
        return send(request);
      },
    };
    const result = await drive(authenticator, { http, scopes: GOLANG, respond: world.respond });
    expect(result.status).toBe(200);
    expect(world.requests.at(-1)?.params.get('grant_type')).toBe('password');
  });
});

describe('createTokenAuthenticator: token service failures', () => {
  it('throws TokenRequestError with the status and a scrubbed reason', async () => {
    const world = createFakeWorld({ fail: { status: 401, body: '{"details":"bad password s3cret-pw for alice"}' } });
    const authenticator = createTokenAuthenticator({ username: 'alice', password: 's3cret-pw' });
    const error = await rejection(run(authenticator, world));
    expect(TokenRequestError.isInstance(error)).toBe(true);
    expect((error as TokenRequestError).status).toBe(401);
    expect(error.message).toContain('https://auth.example.test/token');
    expect(error.message).toContain('rejected the credentials');
    expect(error.message).toContain('[REDACTED]');
    expect(error.message).not.toContain('s3cret-pw');
  });

  it('quotes nothing from the service when the password is too short to scrub', async () => {
    const world = createFakeWorld({ fail: { status: 401, body: '{"details":"bad password abc"}' } });
    const error = await rejection(run(createTokenAuthenticator({ username: 'alice', password: 'abc' }), world));
    expect(error.message).toMatch(/HTTP 401 \(the token service rejected the credentials\)$/);
  });

  it.each([
    ['not JSON', '<html>oops</html>', /not a JSON object/],
    ['no token', '{"expires_in":60}', /neither "token" nor "access_token"/],
    ['an empty token', '{"token":""}', /neither/],
    ['a token with a line break', '{"token":"abc\\r\\nx-evil: 1"}', /malformed token/],
  ])('throws TokenRequestError for %s', async (_, body, message) => {
    const world = createFakeWorld({ fail: { status: 200, body } });
    const error = await rejection(run(createTokenAuthenticator(), world));
    expect(TokenRequestError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('x-evil');
  });

  it('passes errors of the HTTP client through (body cap, timeouts)', async () => {
    const world = createFakeWorld();
    const boom = new TokenRequestError('simulated');
    const http = { send: async () => Promise.reject(boom) };
    const error = await rejection(drive(createTokenAuthenticator(), { http, respond: world.respond }));
    expect(error).toBe(boom);
  });
});

describe('createTokenAuthenticator: realms', () => {
  // Whether a realm is safe is core's question (see realm-safety.test.ts); the authenticator only needs it parsed.
  it('fails with a typed error, contacting nothing, when the realm is not an absolute URL', async () => {
    const world = createFakeWorld({ users: { alice: 'pw' } });
    const respond = (headers: HeaderMap, scopes: readonly string[]) => {
      const answer = world.respond(headers, scopes);
      const challenge = answer.headers['www-authenticate'];
      return challenge ? { ...answer, headers: { 'www-authenticate': challenge.replace(REALM, '/relative') } } : answer;
    };
    const error = await rejection(
      drive(createTokenAuthenticator({ username: 'alice', password: 'pw' }), { http: world.http, respond }),
    );
    expect(AuthTokenNoBearerError.isInstance(error)).toBe(true);
    expect(String((error as Error).message)).not.toContain('pw');
    expect(world.requests).toHaveLength(0);
  });
});

describe('createTokenAuthenticator: aborts', () => {
  it('a waiter on a shared fetch rejects with its own abort reason; the fetch goes on for the others', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const world = createFakeWorld({ gate });
    const authenticator = createTokenAuthenticator();
    const first = run(authenticator, world);
    const controller = new AbortController();
    const second = drive(authenticator, { http: world.http, respond: world.respond, signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 10));
    const reason = new Error('caller gave up');
    controller.abort(reason);
    expect(await rejection(second)).toBe(reason);
    open();
    expect((await first).status).toBe(200);
    expect(world.requests).toHaveLength(1);
  });

  it("a waiter is not failed by the initiator's abort: it fetches on its own", async () => {
    const world = createFakeWorld();
    const controller = new AbortController();
    const reason = new Error('initiator gave up');
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The initiator's HTTP client dies with its signal, as core's does.
    const initiatorHttp = {
      send: async (request: Parameters<typeof world.http.send>[0]) => {
        await held;
        if (controller.signal.aborted) throw controller.signal.reason;
        return world.http.send(request);
      },
    };
    const authenticator = createTokenAuthenticator();
    const first = drive(authenticator, { http: initiatorHttp, respond: world.respond, signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = run(authenticator, world);
    await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort(reason);
    release();
    expect(await rejection(first)).toBe(reason);
    expect((await second).status).toBe(200);
  });
});

describe('createTokenAuthenticator: options and secrecy', () => {
  it.each([
    [{ usernme: 'x' }, 'usernme'],
    [{ username: 'alice' }, 'password'],
    [{ password: 'pw' }, 'username'],
    [{ username: '', password: 'pw' }, 'username'],
    [{ username: 'a:b', password: 'pw' }, 'username'],
    [{ username: 'a', password: 'p\nw' }, 'password'],
    [{ refreshToken: '' }, 'refreshToken'],
    [{ cache: {} }, 'cache'],
    [{ clock: Date }, 'clock'],
    [{ clientId: '' }, 'clientId'],
    [{ refreshMarginMs: -1 }, 'refreshMarginMs'],
    [{ refreshMarginMs: Number.NaN }, 'refreshMarginMs'],
    [{ oauth2: true }, 'oauth2'],
    [{ prefetch: 'yes' }, 'prefetch'],
  ])('rejects %j naming %s', (options, option) => {
    let error: unknown;
    try {
      createTokenAuthenticator(options as never);
    } catch (caught) {
      error = caught;
    }
    expect(InvalidOptionError.isInstance(error)).toBe(true);
    expect((error as InvalidOptionError).option).toBe(option);
    expect((error as Error).message.startsWith('@regkit/auth-token:')).toBe(true);
    expect((error as Error).message).not.toContain('pw');
  });

  it('never shows credentials or tokens in String(), JSON or inspect()', async () => {
    const world = createFakeWorld({ users: { alice: 'secret-password' } });
    const authenticator = createTokenAuthenticator({
      username: 'alice',
      password: 'secret-password',
      refreshToken: 'secret-refresh-x',
    });
    const forms = () => [
      String(authenticator),
      JSON.stringify(authenticator),
      inspect(authenticator, { depth: 10, showHidden: true }),
    ];
    for (const text of forms()) {
      expect(text).not.toMatch(/secret-|alice/);
    }
    world.addRefreshToken('secret-refresh-x', 'alice');
    await run(authenticator, world);
    for (const text of forms()) {
      expect(text).not.toMatch(/secret-|alice/);
    }
    expect(String(authenticator)).toBe('TokenAuthenticator');
    expect(JSON.parse(JSON.stringify(authenticator))).toEqual({ specificationVersion: 'v1', name: 'token' });
  });

  it('uses the registry’s target for the token key, so two registries sharing a realm do not share realms state', async () => {
    const world = createFakeWorld();
    const authenticator = createTokenAuthenticator();
    await run(authenticator, world);
    const other = { ...TARGET, origin: 'https://mirror.example.test', host: 'mirror.example.test' };
    // Never challenged by the mirror: nothing is sent up front there.
    const result = await drive(authenticator, { http: world.http, target: other, respond: () => ({ status: 200, headers: {} }) });
    expect(result.authorizations).toEqual([undefined]);
  });
});
