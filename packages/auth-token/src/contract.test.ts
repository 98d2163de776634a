import { type AuthenticatorScenario, authenticatorContract } from '@regkit/testing/contract';
import { describe, expect, it } from 'vitest';
import { createFakeWorld } from './test-support';
import { createTokenAuthenticator } from './token-authenticator';

const SCOPES = ['repository:library/alpine:pull'];

/** The fake registry and token service of test-support, as a contract scenario. */
function tokenScenario(users?: Record<string, string>): () => AuthenticatorScenario {
  return () => {
    const world = createFakeWorld(users ? { users } : {});
    return {
      target: {
        origin: 'https://registry.example.test',
        host: 'registry.example.test',
        protocol: 'https',
        plaintextAllowed: false,
      },
      scopes: SCOPES,
      respond: (request) => world.respond(request.headers, SCOPES),
      http: (request) => world.http.send(request),
      secrets: ['secret-token-', 'contract-password', btoa('alice:contract-password')],
      maxHttpCallsForConcurrentFlows: 1,
    };
  };
}

authenticatorContract({
  describe,
  it,
  expect,
  name: 'token (anonymous)',
  createAuthenticator: () => createTokenAuthenticator(),
  scenario: tokenScenario(),
});

authenticatorContract({
  describe,
  it,
  expect,
  name: 'token (username and password)',
  createAuthenticator: () => createTokenAuthenticator({ username: 'alice', password: 'contract-password' }),
  scenario: tokenScenario({ alice: 'contract-password' }),
});

// The password grant with credentials from a provider (credentials-provider.test.ts runs the Docker token flow):
// the form it posts is held to the hostile realm and redirect cases too.
authenticatorContract({
  describe,
  it,
  expect,
  name: 'token (credential provider, OAuth2 password grant)',
  createAuthenticator: () =>
    createTokenAuthenticator({
      oauth2: true,
      credentials: {
        specificationVersion: 'v1',
        getCredentials: async () => ({ username: 'alice', password: 'contract-password' }),
      },
    }),
  scenario: tokenScenario({ alice: 'contract-password' }),
});
