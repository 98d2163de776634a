import { AuthenticationError } from '@regkit/core';
import { type Authenticator, createNullAuthenticator } from '@regkit/core/spec';
import { describe, expect, it } from 'vitest';
import type { AuthenticatorScenario } from './authenticator-checks';
import { authenticatorContract, runAuthenticatorContract } from './authenticator-contract';

const PASSWORD = 'hunter2-contract-secret';

/** A registry that wants `authorization: Static good` and challenges otherwise. */
const staticScenario = (): AuthenticatorScenario => ({
  respond: (request) =>
    request.headers.authorization === 'Static contract-credential'
      ? { status: 200 }
      : { status: 401, headers: { 'www-authenticate': 'Static realm="contract"' } },
  secrets: [PASSWORD, 'contract-credential'],
});

authenticatorContract({
  describe,
  it,
  expect,
  name: 'null',
  createAuthenticator: () => createNullAuthenticator(),
  scenario: { respond: () => ({ status: 200 }), secrets: [] },
});

/** A well-behaved custom authenticator: adds its header, never resends. */
const staticAuthenticator = (): Authenticator => ({
  specificationVersion: 'v1',
  name: 'static',
  handleRequest: async () => ({ authorization: 'Static contract-credential' }),
  handleResponse: async () => ({ resend: false }),
});

authenticatorContract({
  describe,
  it,
  expect,
  name: 'static header',
  createAuthenticator: staticAuthenticator,
  scenario: staticScenario,
});

async function failedChecks(createAuthenticator: () => Authenticator, scenario = staticScenario): Promise<string[]> {
  const results = await runAuthenticatorContract({ createAuthenticator, scenario });
  return results.filter((result) => result.status === 'failed').map((result) => result.id);
}

describe('the authenticator contract fails broken authenticators', () => {
  it('passes a well-behaved one (the baseline for the cases below)', async () => {
    expect(await failedChecks(staticAuthenticator)).toEqual([]);
  });

  it('catches a wrong specificationVersion', async () => {
    const broken = (): Authenticator => ({ ...staticAuthenticator(), specificationVersion: 'v0' as 'v1' });
    expect(await failedChecks(broken)).toEqual(['shape']);
  });

  it('catches one that always asks to resend', async () => {
    const broken = (): Authenticator => ({ ...staticAuthenticator(), handleResponse: async () => ({ resend: true }) });
    const failed = await failedChecks(broken);
    expect(failed).toContain('bounded-resends');
    expect(failed).toContain('no-resend-without-challenge');
  });

  it('catches one that puts a password in its error', async () => {
    const broken = (): Authenticator => ({
      ...staticAuthenticator(),
      handleResponse: async (context) => {
        if (context.response.status === 401) throw new AuthenticationError(`login with ${PASSWORD} refused`);
        return { resend: false };
      },
    });
    expect(await failedChecks(broken)).toEqual(['no-secrets-in-errors']);
  });

  it('catches a secret in a cause or a property, not just the message', async () => {
    const broken = (): Authenticator => ({
      ...staticAuthenticator(),
      handleResponse: async (context) => {
        if (context.response.status !== 401) return { resend: false };
        throw Object.assign(new AuthenticationError('refused', { cause: new Error(`pw=${PASSWORD}`) }), {});
      },
    });
    expect(await failedChecks(broken)).toEqual(['no-secrets-in-errors']);
  });

  it('catches an untyped error', async () => {
    const broken = (): Authenticator => ({
      ...staticAuthenticator(),
      handleResponse: async (context) => {
        if (context.response.status === 401) throw new Error('nope');
        return { resend: false };
      },
    });
    expect(await failedChecks(broken)).toEqual(['bounded-resends']);
  });

  it('catches a secret in toString() or JSON', async () => {
    const leaky = (): Authenticator => ({ ...staticAuthenticator(), toString: () => `static(${PASSWORD})` }) as Authenticator;
    expect(await failedChecks(leaky)).toEqual(['no-secrets-in-strings']);
    const leakyField = (): Authenticator => ({ ...staticAuthenticator(), password: PASSWORD }) as Authenticator;
    expect(await failedChecks(leakyField)).toEqual(['no-secrets-in-strings']);
  });

  it('catches header names that are not lower case, and values with CR/LF', async () => {
    const upper = (): Authenticator => ({
      ...staticAuthenticator(),
      handleRequest: async () => ({ Authorization: 'Static contract-credential' }),
    });
    expect(await failedChecks(upper)).toContain('succeeds');
    const injected = (): Authenticator => ({
      ...staticAuthenticator(),
      handleRequest: async () => ({ authorization: 'Static contract-credential\r\nx-evil: 1' }),
    });
    expect(await failedChecks(injected)).toContain('succeeds');
  });

  it('catches one that mutates the context', async () => {
    const broken = (): Authenticator => ({
      ...staticAuthenticator(),
      handleRequest: async (context) => {
        (context.request.headers as Record<string, string>).authorization = 'Static contract-credential';
        return undefined;
      },
    });
    expect(await failedChecks(broken)).toContain('succeeds');
  });

  it('catches one that fetches tokens for responses without a challenge', async () => {
    const broken = (): Authenticator => ({
      ...staticAuthenticator(),
      handleResponse: async (context) => {
        await context.http.send({ method: 'GET', url: 'https://auth.contract.test/token', headers: {} });
        return { resend: false };
      },
    });
    expect(await failedChecks(broken)).toContain('no-resend-without-challenge');
  });

  it('catches unshared token fetches when the scenario bounds them', async () => {
    const fetching = (): Authenticator => ({
      ...staticAuthenticator(),
      handleRequest: async (context) => {
        await context.http.send({ method: 'GET', url: 'https://auth.contract.test/token', headers: {} });
        return { authorization: 'Static contract-credential' };
      },
    });
    const bounded = () => ({ ...staticScenario(), maxHttpCallsForConcurrentFlows: 1 });
    expect(await failedChecks(fetching, bounded)).toEqual(['concurrent']);
  });

  it('rejects bad options and unknown check ids', () => {
    expect(() => runAuthenticatorContract({ createAuthenticator: undefined as never, scenario: staticScenario })).toThrow(
      TypeError,
    );
    expect(() =>
      runAuthenticatorContract({ createAuthenticator: staticAuthenticator, scenario: staticScenario, only: ['nope'] }),
    ).toThrow(/unknown check id/);
  });
});
