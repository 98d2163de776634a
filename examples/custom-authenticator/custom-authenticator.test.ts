import { authenticatorContract } from '@regkit/testing/contract';
import { describe, expect, it } from 'vitest';
import { createPasswordHelperAuthenticator, createStaticBearerAuthenticator, main } from './custom-authenticator';

authenticatorContract({
  describe,
  it,
  expect,
  name: 'static bearer',
  createAuthenticator: () => createStaticBearerAuthenticator('example-static-token'),
  scenario: {
    respond: (request) =>
      request.headers.authorization === 'Bearer example-static-token'
        ? { status: 200 }
        : { status: 401, headers: { 'www-authenticate': 'Bearer realm="https://auth.example.test/token"' } },
    secrets: ['example-static-token'],
  },
});

authenticatorContract({
  describe,
  it,
  expect,
  name: 'password helper',
  createAuthenticator: () =>
    createPasswordHelperAuthenticator({ username: 'alice', getPassword: async () => 'example-password' }),
  scenario: {
    respond: (request) =>
      request.headers.authorization === `Basic ${btoa('alice:example-password')}`
        ? { status: 200 }
        : { status: 401, headers: { 'www-authenticate': 'Basic realm="example"' } },
    secrets: ['example-password', btoa('alice:example-password')],
  },
});

describe('the demo', () => {
  it('lists tags with both authenticators, the helper recovering from a stale password', async () => {
    const lines: string[] = [];
    await main((line) => lines.push(line));
    expect(lines).toEqual(['static bearer: 1.0, latest', 'password helper: 1.0, latest (helper called 2 times)']);
  });
});
