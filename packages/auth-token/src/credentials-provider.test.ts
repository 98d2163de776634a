import { InsecureCredentialsError, InvalidOptionError, MANIFEST_ACCEPT, Registry, UnauthorizedError } from '@regkit/core';
import type { CredentialProvider, Credentials, GetCredentialsOptions } from '@regkit/core/spec';
import { buildImage, createFakeRegistry, createHandlerTransport, type FakeRegistryOptions, FIXTURES } from '@regkit/testing';
import { type AuthenticatorScenario, authenticatorContract } from '@regkit/testing/contract';
import { describe, expect, it } from 'vitest';
import { createTokenAuthenticator } from './token-authenticator';

const PASSWORD = 'alice-provider-pw';
const USERS = [{ username: 'alice', password: PASSWORD }];

/** A provider answering per host, recording what it was asked. */
function recordingProvider(answers: Record<string, Credentials | undefined>) {
  const asked: Array<{ host: string; repository: string | undefined; signal: boolean }> = [];
  const provider: CredentialProvider = {
    specificationVersion: 'v1',
    async getCredentials(host: string, options?: GetCredentialsOptions) {
      asked.push({ host, repository: options?.repository, signal: options?.signal instanceof AbortSignal });
      return answers[host];
    },
  };
  return { provider, asked };
}

function world(options: FakeRegistryOptions = {}, domain = 'registry.fake.test') {
  const fake = createFakeRegistry({ auth: 'token', users: USERS, privateRepositories: ['team/*'], ...options });
  const image = fake.putImage('team/app', 'v1', buildImage());
  const connect = (provider: CredentialProvider) =>
    new Registry({
      domain,
      transport: createHandlerTransport(fake),
      authenticator: createTokenAuthenticator({ credentials: provider }),
    });
  return { fake, image, connect };
}

async function refreshTokenFor(fake: ReturnType<typeof createFakeRegistry>): Promise<string> {
  const body = new URLSearchParams({
    grant_type: 'password',
    username: 'alice',
    password: PASSWORD,
    service: 'registry.fake.test',
    client_id: 'test',
    access_type: 'offline',
  });
  const response = await fake.handle(
    new Request(`${fake.authOrigin}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    }),
  );
  const json = (await response.json()) as { refresh_token?: string };
  if (!json.refresh_token) throw new Error('the fake token service issued no refresh token');
  return json.refresh_token;
}

describe('createTokenAuthenticator({ credentials })', () => {
  it('asks the provider with the registry host and repository, and fetches tokens as that user', async () => {
    const { fake, image, connect } = world();
    const { provider, asked } = recordingProvider({ 'registry.fake.test': { username: 'alice', password: PASSWORD } });
    const registry = connect(provider);
    const read = await registry.repository('team/app').images().getByTag('v1');
    expect(read.digest).toBe(image.digest);
    expect(asked[0]).toEqual({ host: 'registry.fake.test', repository: 'team/app', signal: true });
    const tokenCalls = fake.tokenCalls.filter((call) => call.status === 200);
    expect(tokenCalls.length).toBeGreaterThan(0);
    expect(tokenCalls.every((call) => call.username === 'alice' && call.grant === 'basic')).toBe(true);
    expect(JSON.stringify(fake.tokenCalls)).not.toContain(PASSWORD);
  });

  it('asks once per repository while the answer works', async () => {
    const { connect } = world();
    const { provider, asked } = recordingProvider({ 'registry.fake.test': { username: 'alice', password: PASSWORD } });
    const registry = connect(provider);
    for (let i = 0; i < 5; i++) {
      await registry.repository('team/app').images().getByTag('v1');
      await registry.repository(FIXTURES.hello.repository).images().getByTag('latest');
    }
    expect(asked.map((question) => question.repository)).toEqual(['team/app', FIXTURES.hello.repository]);
  });

  it('is anonymous when the provider has nothing for the host', async () => {
    const { fake, connect } = world();
    const { provider } = recordingProvider({ 'other.example.com': { username: 'alice', password: PASSWORD } });
    const registry = connect(provider);
    expect((await registry.repository(FIXTURES.hello.repository).images().getByTag('latest')).digest).toBe(FIXTURES.hello.digest);
    await expect(registry.repository('team/app').images().getByTag('v1')).rejects.toSatisfy((error: unknown) =>
      UnauthorizedError.isInstance(error),
    );
    expect(fake.tokenCalls.every((call) => call.username === null)).toBe(true);
  });

  it('exchanges an identity token with the OAuth2 refresh_token grant', async () => {
    const { fake, image, connect } = world();
    const identityToken = await refreshTokenFor(fake);
    fake.clearCalls();
    const { provider } = recordingProvider({ 'registry.fake.test': { identityToken } });
    expect((await connect(provider).repository('team/app').images().getByTag('v1')).digest).toBe(image.digest);
    const issued = fake.tokenCalls.filter((call) => call.status === 200);
    expect(issued.length).toBeGreaterThan(0);
    expect(issued.every((call) => call.method === 'POST' && call.grant === 'refresh_token' && call.username === 'alice')).toBe(
      true,
    );
  });

  it('keeps the origin rule: a plain-http realm for an https registry gets nothing', async () => {
    const { fake, connect } = world({ token: { origin: 'http://auth.fake.test' } });
    const { provider } = recordingProvider({ 'registry.fake.test': { username: 'alice', password: PASSWORD } });
    const error = await connect(provider)
      .repository('team/app')
      .images()
      .getByTag('v1')
      .catch((caught: unknown) => caught);
    expect(InsecureCredentialsError.isInstance(error)).toBe(true);
    expect(String((error as Error).message)).not.toContain(PASSWORD);
    expect(fake.tokenCalls).toEqual([]);
  });

  it('keeps the origin rule: blob redirects to storage carry no credentials', async () => {
    const { fake, image, connect } = world({ profile: 'docker-hub', rateLimit: false }, 'docker.io');
    const { provider, asked } = recordingProvider({ 'registry-1.docker.io': { username: 'alice', password: PASSWORD } });
    const blobs = connect(provider).repository('team/app').blobs();
    const bytes = await blobs.getBytes(image.config.digest);
    expect(bytes.length).toBe(image.config.size);
    expect(asked[0]?.host).toBe('registry-1.docker.io');
    expect(fake.cdnCalls.length).toBeGreaterThan(0);
    expect(fake.cdnCalls.every((call) => call.headers.authorization === undefined)).toBe(true);
    expect(fake.tokenCalls.filter((call) => call.status === 200).every((call) => call.username === 'alice')).toBe(true);
  });

  it.each<Record<string, string>>([{ username: 'alice', password: 'p' }, { password: 'p' }, { refreshToken: 'r' }])(
    'refuses credentials together with %j',
    (fixed) => {
      const { provider } = recordingProvider({});
      let error: unknown;
      try {
        createTokenAuthenticator({ credentials: provider, ...fixed } as never);
      } catch (caught) {
        error = caught;
      }
      expect(InvalidOptionError.isInstance(error)).toBe(true);
      expect((error as InvalidOptionError).option).toBe('credentials');
      expect((error as Error).message.startsWith('@regkit/auth-token:')).toBe(true);
    },
  );

  it.each([
    {},
    { specificationVersion: 'v2', getCredentials: async () => undefined },
    { specificationVersion: 'v1' },
    'provider',
  ])('refuses %j as a provider', (credentials) => {
    expect(() => createTokenAuthenticator({ credentials } as never)).toThrow(InvalidOptionError);
  });

  it('accepts oauth2 with a provider (the password grant for username and password answers)', async () => {
    const { fake, image } = world();
    const { provider } = recordingProvider({ 'registry.fake.test': { username: 'alice', password: PASSWORD } });
    const registry = new Registry({
      domain: 'registry.fake.test',
      transport: createHandlerTransport(fake),
      authenticator: createTokenAuthenticator({ credentials: provider, oauth2: true }),
    });
    expect((await registry.repository('team/app').images().getByTag('v1')).digest).toBe(image.digest);
    expect(fake.tokenCalls.some((call) => call.grant === 'password' && call.username === 'alice')).toBe(true);
  });
});

function headersOf(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {};
  headers.forEach((value, name) => {
    record[name] = value;
  });
  return record;
}

/** The fake registry and its token service as a contract scenario. */
function providerScenario(): AuthenticatorScenario {
  const fake = createFakeRegistry({ auth: 'token', users: USERS, privateRepositories: ['library/*'] });
  const toResponse = async (response: Response) => ({
    status: response.status,
    headers: headersOf(response.headers),
    url: response.url,
    body: new Uint8Array(await response.arrayBuffer()),
  });
  return {
    target: { origin: fake.origin, host: new URL(fake.origin).host, protocol: 'https', plaintextAllowed: false },
    // The contract asks for an OCI manifest; alpine is an index, so accept every manifest type.
    respond: async (request) => {
      const response = await fake.handle(
        new Request(request.url, { method: request.method, headers: { ...request.headers, accept: MANIFEST_ACCEPT } }),
      );
      return { status: response.status, headers: headersOf(response.headers) };
    },
    http: async (request) => {
      const response = await fake.handle(
        new Request(request.url, {
          method: request.method,
          headers: { ...request.headers },
          ...(request.body === undefined ? {} : { body: request.body as BodyInit }),
        }),
      );
      return { ...(await toResponse(response)), url: request.url };
    },
    secrets: [PASSWORD, btoa(`alice:${PASSWORD}`)],
    maxHttpCallsForConcurrentFlows: 1,
  };
}

authenticatorContract({
  describe,
  it,
  expect,
  name: 'token (credentials from a provider)',
  createAuthenticator: () =>
    createTokenAuthenticator({
      credentials: recordingProvider({ 'registry.fake.test': { username: 'alice', password: PASSWORD } }).provider,
    }),
  scenario: providerScenario,
});
