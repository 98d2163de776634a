import { authenticatorContract } from '@regkit/testing/contract';
import { describe, expect, it } from 'vitest';
import { createBasicAuthenticator } from './basic-authenticator';

const PASSWORD = 'contract-password';
const HEADER = `Basic ${btoa(`alice:${PASSWORD}`)}`;

authenticatorContract({
  describe,
  it,
  expect,
  name: 'basic',
  createAuthenticator: () => createBasicAuthenticator({ username: 'alice', password: PASSWORD }),
  scenario: {
    // An htpasswd-protected distribution registry.
    respond: (request) =>
      request.headers.authorization === HEADER
        ? { status: 200 }
        : { status: 401, headers: { 'www-authenticate': 'Basic realm="basic-realm"' } },
    rejectChallenge: 'Basic realm="basic-realm"',
    secrets: [PASSWORD, HEADER.slice('Basic '.length)],
    maxHttpCallsForConcurrentFlows: 0,
  },
});
