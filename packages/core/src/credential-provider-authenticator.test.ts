import { describe, expect, it } from 'vitest';
import type { AuthContext, Authenticator, AuthResponseContext, RegistryTarget } from './authenticator';
import { authenticatorFromProvider } from './credential-provider-authenticator';
import type { CredentialProvider, Credentials, GetCredentialsOptions } from './credentials';
import { AuthenticationError, InvalidOptionError } from './errors';

const REGISTRY: RegistryTarget = {
  origin: 'https://registry.example.test',
  host: 'registry.example.test',
  protocol: 'https',
  plaintextAllowed: false,
};
const NAMING = { packageName: '@regkit/auth-test', name: 'test', label: 'TestAuthenticator' };

function context(scopes: string[] = [], signal?: AbortSignal): AuthContext {
  return {
    registry: REGISTRY,
    request: { method: 'GET', url: `${REGISTRY.origin}/v2/`, headers: {} },
    scopes,
    http: { send: () => Promise.reject(new Error('no http here')) },
    signal,
  };
}

function response(of: AuthContext, status: number): AuthResponseContext {
  return { ...of, response: { status, headers: {}, url: of.request.url }, challenges: [], resends: 0 };
}

/** A provider answering from a list, recording each question. */
function scriptedProvider(...answers: unknown[]) {
  const asked: Array<{ host: string; options: GetCredentialsOptions | undefined }> = [];
  const provider: CredentialProvider = {
    specificationVersion: 'v1',
    async getCredentials(host, options) {
      asked.push({ host, options });
      const answer = answers.length > 1 ? answers.shift() : answers[0];
      if (answer instanceof Error) throw answer;
      return answer as Credentials | undefined;
    },
  };
  return { provider, asked };
}

/** Inner authenticators that say who they are in the header and resend as told. */
function builder(decide: (status: number) => boolean | Error = () => false) {
  const builtFor: Array<Credentials | undefined> = [];
  const build = (credentials: Credentials | undefined): Authenticator => {
    builtFor.push(credentials);
    const who = credentials === undefined ? 'anonymous' : 'identityToken' in credentials ? 'token' : credentials.username;
    return {
      specificationVersion: 'v1',
      name: 'inner',
      handleRequest: async () => ({ authorization: `Test ${who}` }),
      handleResponse: async (ctx) => {
        const decision = decide(ctx.response.status);
        if (decision instanceof Error) throw decision;
        return { resend: decision };
      },
    };
  };
  return { build, builtFor };
}

describe('authenticatorFromProvider', () => {
  it("asks with the registry host and the request's repository, and uses what it answers", async () => {
    const { provider, asked } = scriptedProvider({ username: 'alice', password: 'pw' });
    const { build, builtFor } = builder();
    const auth = authenticatorFromProvider(provider, build, NAMING);
    const signal = new AbortController().signal;
    expect(await auth.handleRequest(context(['repository:team/app:pull'], signal))).toEqual({ authorization: 'Test alice' });
    expect(asked).toEqual([{ host: 'registry.example.test', options: { repository: 'team/app', signal } }]);
    expect(builtFor).toEqual([{ username: 'alice', password: 'pw' }]);
    expect(await auth.handleRequest(context(['registry:catalog:*']))).toEqual({ authorization: 'Test alice' });
    expect(asked[1]).toEqual({ host: 'registry.example.test', options: {} });
  });

  it('remembers answers per repository and shares one authenticator per answer', async () => {
    const { provider, asked } = scriptedProvider({ username: 'alice', password: 'pw' });
    const { build, builtFor } = builder();
    const auth = authenticatorFromProvider(provider, build, NAMING);
    for (let i = 0; i < 3; i++) {
      await auth.handleRequest(context(['repository:a/one:pull']));
      await auth.handleRequest(context(['repository:a/two:pull']));
    }
    expect(asked.map((question) => question.options?.repository)).toEqual(['a/one', 'a/two']);
    expect(builtFor).toHaveLength(1);
  });

  it('maps undefined to anonymous and identity tokens through', async () => {
    const { provider } = scriptedProvider(undefined, { identityToken: 'refresh' });
    const { build, builtFor } = builder();
    const auth = authenticatorFromProvider(provider, build, NAMING);
    expect(await auth.handleRequest(context(['repository:a:pull']))).toEqual({ authorization: 'Test anonymous' });
    expect(await auth.handleRequest(context(['repository:b:pull']))).toEqual({ authorization: 'Test token' });
    expect(builtFor).toEqual([undefined, { identityToken: 'refresh' }]);
  });

  it('asks again after a 401 the authenticator does not resend, and after its errors', async () => {
    const { provider, asked } = scriptedProvider({ username: 'old', password: 'x' }, { username: 'new', password: 'y' });
    let failure: Error | undefined;
    const { build } = builder((status) => failure ?? status !== 401);
    const auth = authenticatorFromProvider(provider, build, NAMING);
    const first = context(['repository:a:pull']);
    expect(await auth.handleRequest(first)).toEqual({ authorization: 'Test old' });
    expect(await auth.handleResponse(response(first, 200))).toEqual({ resend: true });
    expect(await auth.handleResponse(response(first, 401))).toEqual({ resend: false });
    expect(await auth.handleRequest(context(['repository:a:pull']))).toEqual({ authorization: 'Test new' });
    expect(asked).toHaveLength(2);
    failure = new AuthenticationError('refused');
    const second = context(['repository:a:pull']);
    await auth.handleRequest(second);
    await expect(auth.handleResponse(response(second, 401))).rejects.toBe(failure);
    await auth.handleRequest(context(['repository:a:pull']));
    expect(asked).toHaveLength(3);
  });

  it('does not remember a provider failure', async () => {
    const broken = new Error('helper failed');
    const { provider, asked } = scriptedProvider(broken, { username: 'u', password: 'p' });
    const auth = authenticatorFromProvider(provider, builder().build, NAMING);
    await expect(auth.handleRequest(context())).rejects.toBe(broken);
    expect(await auth.handleRequest(context())).toEqual({ authorization: 'Test u' });
    expect(asked).toHaveLength(2);
  });

  it.each([
    ['a string', 'user:secret-value'],
    ['a username without password', { username: 'secret-value' }],
    ['both kinds at once', { username: 'u', password: 'secret-value', identityToken: 'secret-value' }],
    ['an empty identity token', { identityToken: '' }],
  ])('refuses an answer that is %s without naming it', async (_name, answer) => {
    const { provider } = scriptedProvider(answer);
    const error = await authenticatorFromProvider(provider, builder().build, NAMING)
      .handleRequest(context())
      .catch((caught: unknown) => caught);
    expect(AuthenticationError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/^@regkit\/auth-test: the credential provider answered for registry\.example\.test/);
    expect((error as Error).message).not.toContain('secret-value');
  });

  it("turns the authenticator's refusal of an answer into an AuthenticationError naming the field, not the value", async () => {
    const { provider } = scriptedProvider({ username: 'bad:secret-value', password: 'p' });
    const build = () => {
      throw new InvalidOptionError('username', '@regkit/auth-test: username must not contain ":"');
    };
    const error = await authenticatorFromProvider(provider, build, NAMING)
      .handleRequest(context())
      .catch((caught: unknown) => caught);
    expect(AuthenticationError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('its username is not valid');
    expect((error as Error).message).not.toContain('secret-value');
  });

  it("rejects with the caller's abort reason, and a lookup aborted by another caller is started again", async () => {
    let release: (value: Credentials) => void = () => {};
    let calls = 0;
    const provider: CredentialProvider = {
      specificationVersion: 'v1',
      getCredentials: (_host, options) =>
        new Promise((resolve, reject) => {
          calls += 1;
          options?.signal?.addEventListener('abort', () => reject(options.signal?.reason));
          release = resolve;
        }),
    };
    const auth = authenticatorFromProvider(provider, builder().build, NAMING);
    const first = new AbortController();
    const waiting = auth.handleRequest(context([], first.signal));
    const other = auth.handleRequest(context([]));
    first.abort(new Error('first caller gave up'));
    await expect(waiting).rejects.toThrow('first caller gave up');
    await new Promise((resolve) => setTimeout(resolve, 0));
    release({ username: 'late', password: 'p' });
    expect(await other).toEqual({ authorization: 'Test late' });
    expect(calls).toBe(2);
  });

  it('shows nothing of the credentials', () => {
    const { provider } = scriptedProvider({ username: 'u', password: 'p' });
    const auth = authenticatorFromProvider(provider, builder().build, NAMING);
    expect(String(auth)).toBe('TestAuthenticator');
    expect(JSON.stringify(auth)).toBe('{"specificationVersion":"v1","name":"test"}');
  });
});
