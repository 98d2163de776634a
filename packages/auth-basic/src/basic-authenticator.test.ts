import { inspect } from 'node:util';
import { InvalidOptionError } from '@regkit/core';
import { type AuthContext, type AuthResponseContext, parseWwwAuthenticate, type RegistryTarget } from '@regkit/core/spec';
import { describe, expect, it } from 'vitest';
import { createBasicAuthenticator } from './basic-authenticator';

const HTTPS: RegistryTarget = {
  origin: 'https://registry.example.test',
  host: 'registry.example.test',
  protocol: 'https',
  plaintextAllowed: false,
};
const LOOPBACK: RegistryTarget = {
  origin: 'http://127.0.0.1:5000',
  host: '127.0.0.1:5000',
  protocol: 'http',
  plaintextAllowed: true,
};
const _PLAIN: RegistryTarget = {
  origin: 'http://registry.example.test',
  host: 'registry.example.test',
  protocol: 'http',
  plaintextAllowed: false,
};

const unusedHttp = {
  send: () => {
    throw new Error('Basic auth must not make HTTP requests of its own');
  },
};

function context(registry: RegistryTarget, url = `${registry.origin}/v2/`): AuthContext {
  return { registry, request: { method: 'GET', url, headers: {} }, scopes: [], http: unusedHttp, signal: undefined };
}

function responseContext(registry: RegistryTarget, status: number, challenge?: string, resends = 0): AuthResponseContext {
  return {
    ...context(registry),
    response: { status, headers: challenge ? { 'www-authenticate': challenge } : {}, url: `${registry.origin}/v2/` },
    challenges: challenge ? parseWwwAuthenticate(challenge) : [],
    resends,
  };
}

const expected = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;

describe('createBasicAuthenticator', () => {
  it('sends Basic credentials (UTF-8) to the registry origin over https', async () => {
    const auth = createBasicAuthenticator({ username: 'robot$ci', password: 'pässwörd:with:colons' });
    expect(await auth.handleRequest(context(HTTPS))).toEqual({ authorization: expected('robot$ci', 'pässwörd:with:colons') });
  });

  it('sends them over plain http when the registry allows plaintext (loopback or protocol "http")', async () => {
    const auth = createBasicAuthenticator({ username: 'u', password: 'p' });
    expect(await auth.handleRequest(context(LOOPBACK))).toEqual({ authorization: expected('u', 'p') });
  });

  it('never asks to resend: a 401 after sending credentials means they were refused', async () => {
    const auth = createBasicAuthenticator({ username: 'u', password: 'p' });
    expect(await auth.handleResponse(responseContext(HTTPS, 401, 'Basic realm="basic-realm"'))).toEqual({ resend: false });
    expect(await auth.handleResponse(responseContext(HTTPS, 401, 'Bearer realm="https://auth/token"'))).toEqual({
      resend: false,
    });
    expect(await auth.handleResponse(responseContext(HTTPS, 200))).toEqual({ resend: false });
  });

  it.each([
    [undefined, 'options'],
    [{}, 'username'],
    [{ username: '', password: 'p' }, 'username'],
    [{ username: 'a:b', password: 'p' }, 'username'],
    [{ username: 'a\r\n', password: 'p' }, 'username'],
    [{ username: 'a' }, 'password'],
    [{ username: 'a', password: 5 }, 'password'],
    [{ username: 'a', password: 'p\n' }, 'password'],
    [{ username: 'a', password: 'p', realm: 'x' }, 'realm'],
  ])('rejects %j naming %s', (options, option) => {
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

  it('never shows the credentials in String(), JSON or inspect()', () => {
    const auth = createBasicAuthenticator({ username: 'someone', password: 'very-secret' });
    const encoded = expected('someone', 'very-secret').slice(6);
    for (const text of [String(auth), JSON.stringify(auth), inspect(auth, { depth: 10, showHidden: true })]) {
      expect(text).not.toContain('very-secret');
      expect(text).not.toContain(encoded);
      expect(text).not.toContain('someone');
    }
    expect(String(auth)).toBe('BasicAuthenticator');
  });
});
