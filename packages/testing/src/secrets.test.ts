import { describe, expect, it } from 'vitest';
import { redactCookie, redactCredential } from './call-log';
import { createFakeDockerHub } from './docker-hub';
import { createFakeRegistry, type FakeRegistry } from './fake-registry';

const PASSWORD = 'pw-SECRET-1';
const SECRETS = [
  PASSWORD,
  'bearer-SECRET-2',
  'proxy-SECRET-3',
  'cookie-SECRET-4',
  'cookie-SECRET-5',
  'set-cookie-SECRET-6',
  'query-SECRET-7',
  'query-SECRET-8',
  'form-SECRET-9',
  'header-SECRET-10',
  'query-SECRET-11',
];
const BASIC = Buffer.from(`alice:${PASSWORD}`).toString('base64');

/** Everything a fake keeps or says about requests: records, explanations, and the answers' bodies and headers. */
async function everythingSaid(registry: FakeRegistry, responses: Response[]): Promise<string> {
  const answers = await Promise.all(
    responses.map(async (response) => {
      const headers: string[] = [];
      response.headers.forEach((value, name) => {
        headers.push(`${name}: ${value}`);
      });
      return `${headers.join('\n')}\n${await response.text()}`;
    }),
  );
  return [
    JSON.stringify(registry.calls),
    JSON.stringify(registry.tokenCalls),
    JSON.stringify(registry.cdnCalls),
    JSON.stringify(registry.unmatched),
    ...answers,
  ].join('\n');
}

function expectNoSecret(text: string): void {
  for (const secret of [...SECRETS, BASIC]) expect(text, `leaked ${secret}`).not.toContain(secret);
}

const SECRET_HEADERS = {
  'proxy-authorization': 'Basic proxy-SECRET-3',
  cookie: 'sid=cookie-SECRET-4; theme=cookie-SECRET-5',
  'set-cookie': 'sid=set-cookie-SECRET-6; Path=/; HttpOnly',
  'x-auth-token': 'header-SECRET-10',
};

describe('no secret a client sends shows up in records, explanations or answers', () => {
  it('in token mode: registry, token service GET and POST', async () => {
    const registry = createFakeRegistry({ auth: 'token', users: [{ username: 'alice', password: PASSWORD }] });
    const origin = registry.origin;
    const realm = `${registry.authOrigin}/token`;
    const requests = [
      new Request(`${origin}/v2/library/hello/tags/list?access_token=query-SECRET-7&token=query-SECRET-8`, {
        headers: { authorization: 'Bearer bearer-SECRET-2', ...SECRET_HEADERS },
      }),
      new Request(`${origin}/v2/no/such/manifests/latest`, { headers: { authorization: `Basic ${BASIC}`, ...SECRET_HEADERS } }),
      new Request(`${origin}/nowhere?password=query-SECRET-11`, { headers: SECRET_HEADERS }),
      new Request(`${realm}?service=registry.fake.test&scope=repository:library/hello:pull&password=query-SECRET-11`, {
        headers: { authorization: `Basic ${BASIC}`, ...SECRET_HEADERS },
      }),
      new Request(`${realm}?service=registry.fake.test`, {
        headers: { authorization: 'Basic d3Jvbmc6d3Jvbmc=', ...SECRET_HEADERS },
      }),
      new Request(realm, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...SECRET_HEADERS },
        body: new URLSearchParams({
          grant_type: 'password',
          client_id: 'test',
          service: 'registry.fake.test',
          username: 'alice',
          password: PASSWORD,
          access_type: 'offline',
        }),
      }),
      new Request(realm, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          client_id: 'test',
          service: 'registry.fake.test',
          refresh_token: 'form-SECRET-9',
        }),
      }),
      new Request(realm, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'password', client_id: 'test', service: 'nope', password: 'form-SECRET-9' }),
      }),
    ];
    const responses: Response[] = [];
    for (const request of requests) responses.push(await registry.handle(request));
    expect(responses.map((response) => response.status)).toEqual([401, 401, 404, 200, 401, 200, 400, 400]);
    // The records still say what was sent, without the values.
    expect(registry.calls[0]?.headers).toMatchObject({
      authorization: 'Bearer <redacted>',
      'proxy-authorization': 'Basic <redacted>',
      cookie: 'sid=<redacted>; theme=<redacted>',
      'set-cookie': 'sid=<redacted>; Path=<redacted>; HttpOnly',
      'x-auth-token': '<redacted>',
    });
    expect(registry.calls[0]?.url).toContain('access_token=%3Credacted%3E&token=%3Credacted%3E');
    expectNoSecret(await everythingSaid(registry, responses));
  });

  it('in basic mode, with faults and explanations', async () => {
    const registry = createFakeRegistry({ auth: 'basic', users: [{ username: 'alice', password: PASSWORD }] });
    registry.faults.add({ path: '/v2/_catalog', status: 503 });
    const responses = [];
    for (const path of ['/v2/nope/tags/list?token=query-SECRET-7', '/v2/_catalog?access_token=query-SECRET-8', '/v2/']) {
      responses.push(
        await registry.handle(
          new Request(`${registry.origin}${path}`, { headers: { authorization: `Basic ${BASIC}`, ...SECRET_HEADERS } }),
        ),
      );
    }
    responses.push(
      await registry.handle(new Request(`${registry.origin}/v2/`, { headers: { authorization: 'Bearer bearer-SECRET-2' } })),
    );
    expect(responses.map((response) => response.status)).toEqual([404, 503, 200, 401]);
    expect(registry.unmatched).toHaveLength(1);
    expectNoSecret(await everythingSaid(registry, responses));
  });

  it('at the blob storage host behind Docker Hub redirects', async () => {
    const hub = createFakeDockerHub();
    const blob = await hub.handle(
      new Request(`${hub.origin}/v2/library/hello/blobs/${'sha256:'}${'0'.repeat(64)}`, {
        headers: { authorization: 'Bearer bearer-SECRET-2' },
      }),
    );
    const storage = await hub.handle(
      new Request(`${hub.cdnOrigin}/registry-v2/nothing?token=query-SECRET-7`, {
        headers: { authorization: 'Bearer bearer-SECRET-2', ...SECRET_HEADERS },
      }),
    );
    expect(hub.cdnCalls).toHaveLength(1);
    expectNoSecret(await everythingSaid(hub, [blob, storage]));
  });
});

describe('redaction helpers', () => {
  it('keeps an auth scheme and nothing else', () => {
    expect(redactCredential('Bearer abc def')).toBe('Bearer <redacted>');
    expect(redactCredential('abc')).toBe('<redacted>');
    expect(redactCredential('sid=abc; x=y')).toBe('<redacted>');
  });

  it('removes every cookie value and keeps the names', () => {
    expect(redactCookie('sid=SECRET; theme=dark')).toBe('sid=<redacted>; theme=<redacted>');
    expect(redactCookie('SECRET')).toBe('<redacted>');
    expect(redactCookie('a=1;b=2; Secure')).toBe('a=<redacted>; b=<redacted>; Secure');
  });
});
