/**
 * The token authenticator holds no credential policy of its own: core's
 * pipeline refuses unsafe realms for every authenticator. These tests drive
 * a real `Registry`, so they hold whoever enforces the rule.
 */
import { InsecureCredentialsError, Registry, RegkitError } from '@regkit/core';
import { createHandlerTransport, type RequestHandlerTarget } from '@regkit/testing';
import { describe, expect, it } from 'vitest';
import { createTokenAuthenticator } from './token-authenticator';

const PASSWORD = 'realm-test-password';

/** A registry that names `realm` in its challenges, and a token service that records any contact. */
function hostile(realm: string) {
  const contacted: string[] = [];
  const registry: RequestHandlerTarget = {
    serves: (origin) => origin === 'https://registry.fake.test',
    handle: async () =>
      new Response('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}', {
        status: 401,
        headers: {
          'content-type': 'application/json',
          'www-authenticate': `Bearer realm="${realm}",service="registry.fake.test",scope="repository:team/app:pull"`,
        },
      }),
  };
  const tokenService: RequestHandlerTarget = {
    serves: (origin) => origin.endsWith('auth.fake.test'),
    async handle(request) {
      contacted.push(request.url);
      return Response.json({ token: 'issued-token', expires_in: 300 });
    },
  };
  const client = new Registry({
    domain: 'registry.fake.test',
    transport: createHandlerTransport([registry, tokenService]),
    authenticator: createTokenAuthenticator({ username: 'alice', password: PASSWORD }),
  });
  return { client, contacted };
}

const attempt = (client: Registry) =>
  client
    .repository('team/app')
    .manifests()
    .get('latest')
    .catch((caught: unknown) => caught);

describe('token realms named by an https registry', () => {
  it.each(['http://auth.fake.test/token', 'https://user:pw@auth.fake.test/token'])(
    'refuses %s with InsecureCredentialsError, sending nothing there',
    async (realm) => {
      const { client, contacted } = hostile(realm);
      const error = await attempt(client);
      expect(InsecureCredentialsError.isInstance(error), String(error)).toBe(true);
      expect(String((error as Error).message)).not.toContain(PASSWORD);
      expect(contacted).toEqual([]);
    },
  );

  it('refuses a realm that is not http(s) with a typed error, sending nothing', async () => {
    const { client, contacted } = hostile('file:///etc/passwd');
    const error = await attempt(client);
    expect(RegkitError.isInstance(error), String(error)).toBe(true);
    expect(String((error as Error).message)).not.toContain(PASSWORD);
    expect(contacted).toEqual([]);
  });
});
