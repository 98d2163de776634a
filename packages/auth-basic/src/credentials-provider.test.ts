import { AuthenticationError, InvalidOptionError, Registry, UnauthorizedError } from '@regkit/core';
import type { CredentialProvider, Credentials, GetCredentialsOptions } from '@regkit/core/spec';
import { buildImage, createFakeRegistry, createHandlerTransport, type FakeRegistryOptions } from '@regkit/testing';
import { authenticatorContract } from '@regkit/testing/contract';
import { describe, expect, it } from 'vitest';
import { createBasicAuthenticator } from './basic-authenticator';

const PASSWORD = 'bob-provider-pw';
const USERS = [{ username: 'bob', password: PASSWORD }];

/** A provider giving the next answer of a list each time (the last one forever), recording questions. */
function provider(...answers: Array<Credentials | undefined>) {
  const asked: Array<{ host: string; repository: string | undefined }> = [];
  const value: CredentialProvider = {
    specificationVersion: 'v1',
    async getCredentials(host: string, options?: GetCredentialsOptions) {
      asked.push({ host, repository: options?.repository });
      return answers.length > 1 ? answers.shift() : answers[0];
    },
  };
  return { provider: value, asked };
}

function world(options: FakeRegistryOptions = {}, domain = 'registry.fake.test') {
  const fake = createFakeRegistry({ auth: 'basic', users: USERS, ...options });
  const image = fake.putImage('team/app', 'v1', buildImage());
  const connect = (credentials: CredentialProvider) =>
    new Registry({ domain, transport: createHandlerTransport(fake), authenticator: createBasicAuthenticator({ credentials }) });
  return { fake, image, connect };
}

describe('createBasicAuthenticator({ credentials })', () => {
  it('sends what the provider answers for the registry host and repository', async () => {
    const { image, connect } = world();
    const { provider: credentials, asked } = provider({ username: 'bob', password: PASSWORD });
    const registry = connect(credentials);
    for (let i = 0; i < 3; i++) expect((await registry.repository('team/app').images().getByTag('v1')).digest).toBe(image.digest);
    expect(asked).toEqual([{ host: 'registry.fake.test', repository: 'team/app' }]);
  });

  it('asks again after the registry refuses the answer', async () => {
    const { image, connect } = world();
    const { provider: credentials, asked } = provider(
      { username: 'bob', password: 'stale' },
      { username: 'bob', password: PASSWORD },
    );
    const registry = connect(credentials);
    await expect(registry.repository('team/app').images().getByTag('v1')).rejects.toSatisfy((error: unknown) =>
      UnauthorizedError.isInstance(error),
    );
    expect((await registry.repository('team/app').images().getByTag('v1')).digest).toBe(image.digest);
    expect(asked).toHaveLength(2);
  });

  it('is anonymous when the provider has nothing', async () => {
    const { fake, connect } = world();
    const { provider: credentials } = provider(undefined);
    await expect(connect(credentials).repository('team/app').images().getByTag('v1')).rejects.toSatisfy((error: unknown) =>
      UnauthorizedError.isInstance(error),
    );
    expect(fake.calls.every((call) => call.headers.authorization === undefined)).toBe(true);
  });

  it('refuses an identity token, which Basic cannot use', async () => {
    const { connect } = world();
    const { provider: credentials } = provider({ identityToken: 'refresh-secret' });
    const error = await connect(credentials)
      .repository('team/app')
      .images()
      .getByTag('v1')
      .catch((caught: unknown) => caught);
    expect(AuthenticationError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('identity token');
    expect((error as Error).message).not.toContain('refresh-secret');
  });

  it('keeps the origin rule: blob redirects to storage carry no credentials', async () => {
    const { fake, image, connect } = world({ profile: 'docker-hub', rateLimit: false }, 'docker.io');
    const { provider: credentials, asked } = provider({ username: 'bob', password: PASSWORD });
    const bytes = await connect(credentials).repository('team/app').blobs().getBytes(image.config.digest);
    expect(bytes.length).toBe(image.config.size);
    expect(asked[0]?.host).toBe('registry-1.docker.io');
    expect(fake.cdnCalls.length).toBeGreaterThan(0);
    expect(fake.cdnCalls.every((call) => call.headers.authorization === undefined)).toBe(true);
  });

  it('treats credentials: undefined as absent', async () => {
    const { image, fake } = world();
    const registry = new Registry({
      domain: 'registry.fake.test',
      transport: createHandlerTransport(fake),
      authenticator: createBasicAuthenticator({ credentials: undefined, username: 'bob', password: PASSWORD } as never),
    });
    expect((await registry.repository('team/app').images().getByTag('v1')).digest).toBe(image.digest);
  });

  it.each([
    [{ credentials: provider().provider, username: 'bob' }, 'credentials'],
    [{ credentials: provider().provider, password: 'p' }, 'credentials'],
    [{ credentials: provider().provider, realm: 'x' }, 'realm'],
    [{ credentials: {} }, 'credentials'],
    [{ credentials: { specificationVersion: 'v2', getCredentials: async () => undefined } }, 'credentials'],
  ])('rejects %o naming %s', (options, option) => {
    let error: unknown;
    try {
      createBasicAuthenticator(options as never);
    } catch (caught) {
      error = caught;
    }
    expect(InvalidOptionError.isInstance(error)).toBe(true);
    expect((error as InvalidOptionError).option).toBe(option);
    expect((error as Error).message.startsWith('@regkit/auth-basic:')).toBe(true);
  });
});

const HEADER = `Basic ${btoa(`bob:${PASSWORD}`)}`;

authenticatorContract({
  describe,
  it,
  expect,
  name: 'basic (credentials from a provider)',
  createAuthenticator: () =>
    createBasicAuthenticator({ credentials: provider({ username: 'bob', password: PASSWORD }).provider }),
  scenario: {
    respond: (request) =>
      request.headers.authorization === HEADER
        ? { status: 200 }
        : { status: 401, headers: { 'www-authenticate': 'Basic realm="basic-realm"' } },
    rejectChallenge: 'Basic realm="basic-realm"',
    secrets: [PASSWORD, HEADER.slice('Basic '.length)],
    maxHttpCallsForConcurrentFlows: 0,
  },
});
