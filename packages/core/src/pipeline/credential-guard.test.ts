import { describe, expect, it } from 'vitest';
import type { Authenticator, AuthResponseContext, RegistryTarget } from '../authenticator';
import { InsecureCredentialsError, InvalidOptionError, RedirectError } from '../errors';
import { Registry } from '../registry';
import { rejectionOf } from '../test-support';
import type { Transport, TransportRequest } from '../transport';
import { assertCredentialsMayTravel, checkAuthRequest } from './credential-guard';
import { recordingTransport, type ScriptedResponse } from './test-transport';

const encoder = new TextEncoder();
const PASSWORD = 'hostile-guard-password';
const FORM = `grant_type=password&username=alice&password=${PASSWORD}`;

/** Adds credentials to everything and posts a password form to whatever realm it is shown. */
function hostileAuthenticator(): Authenticator {
  let token: string | undefined;
  return {
    specificationVersion: 'v1',
    name: 'hostile',
    handleRequest: async () => ({ authorization: `Bearer ${token ?? 'no-token-yet'}`, cookie: 'session=hostile-cookie' }),
    async handleResponse(context: AuthResponseContext) {
      const realm = context.challenges[0]?.params.realm;
      if (context.response.status !== 401 || realm === undefined) return { resend: false };
      const answer = await context.http.send({
        method: 'POST',
        url: realm,
        headers: {
          authorization: 'Basic YWxpY2U6aG9zdGlsZS1ndWFyZC1wYXNzd29yZA==',
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: encoder.encode(FORM),
        secret: true,
      });
      token = JSON.parse(new TextDecoder().decode(answer.body)).token;
      return { resend: true };
    },
  };
}

/** A secret-body-only variant: no header, just the form. */
function formOnlyAuthenticator(): Authenticator {
  return {
    specificationVersion: 'v1',
    name: 'form-only',
    handleRequest: async () => undefined,
    async handleResponse(context) {
      const realm = context.challenges[0]?.params.realm;
      if (context.response.status !== 401 || realm === undefined) return { resend: false };
      await context.http.send({ method: 'POST', url: realm, headers: {}, body: encoder.encode(FORM), secret: true });
      return { resend: true };
    },
  };
}

function world(
  registryOrigin: string,
  realm: string,
  extra: (request: TransportRequest) => ScriptedResponse | undefined = () => undefined,
) {
  return recordingTransport((request) => {
    const answer = extra(request);
    if (answer !== undefined) return answer;
    if (request.url.startsWith(`${registryOrigin}/v2/`)) {
      return request.headers.authorization === 'Bearer good'
        ? { status: 200, headers: { 'content-type': 'application/json' }, body: '{}' }
        : { status: 401, headers: { 'www-authenticate': `Bearer realm="${realm}",service="svc"` } };
    }
    return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"token":"good"}' };
  });
}

describe('the credential guard', () => {
  it('refuses a password form posted over plain http to a non-loopback realm; the transport never sees it', async () => {
    const transport = world('https://registry.test', 'http://evil.example/token');
    const registry = new Registry({ domain: 'registry.test', transport, authenticator: hostileAuthenticator() });
    const error = await rejectionOf(registry.ping());
    expect(InsecureCredentialsError.isInstance(error)).toBe(true);
    expect(transport.calls.map((call) => call.url)).toEqual(['https://registry.test/v2/']);
    expect(String((error as Error).message)).not.toContain(PASSWORD);
  });

  it('refuses a secret body without any credential header, too', async () => {
    const transport = world('https://registry.test', 'http://evil.example/token');
    const registry = new Registry({ domain: 'registry.test', transport, authenticator: formOnlyAuthenticator() });
    expect(InsecureCredentialsError.isInstance(await rejectionOf(registry.ping()))).toBe(true);
    expect(transport.calls.every((call) => !call.url.startsWith('http://evil.example'))).toBe(true);
  });

  it('refuses a realm with user info, as checkTokenRealm does', async () => {
    const transport = world('https://registry.test', 'https://user:pw@auth.test/token');
    const registry = new Registry({ domain: 'registry.test', transport, authenticator: hostileAuthenticator() });
    expect(InsecureCredentialsError.isInstance(await rejectionOf(registry.ping()))).toBe(true);
    expect(transport.calls).toHaveLength(1);
  });

  it('allows plain http to the origin the user chose protocol "http" for, and to nothing else in clear', async () => {
    const chosenHttp = (transport: Transport) =>
      new Registry({ domain: 'registry.example:5000', protocol: 'http', transport, authenticator: hostileAuthenticator() });
    const own = world('http://registry.example:5000', 'http://registry.example:5000/token');
    await chosenHttp(own).ping();
    expect(own.calls.map((call) => `${call.method} ${call.url}`)).toEqual([
      'GET http://registry.example:5000/v2/',
      'POST http://registry.example:5000/token',
      'GET http://registry.example:5000/v2/',
    ]);

    // Choosing http for the registry does not extend to another host's token service.
    const other = world('http://registry.example:5000', 'http://auth.example/token');
    expect(InsecureCredentialsError.isInstance(await rejectionOf(chosenHttp(other).ping()))).toBe(true);
    expect(other.calls.map((call) => call.url)).toEqual(['http://registry.example:5000/v2/']);
  });

  it('allows plain http to loopback hosts', async () => {
    const transport = world('http://127.0.0.1:5000', 'http://localhost:5001/token');
    const registry = new Registry({ domain: '127.0.0.1:5000', transport, authenticator: hostileAuthenticator() });
    await registry.ping();
    expect(transport.calls.map((call) => call.url)).toContain('http://localhost:5001/token');
  });

  it('sends the base headers on token requests: user-agent and accept-encoding identity', async () => {
    const transport = world('https://registry.test', 'https://auth.test/token');
    const registry = new Registry({
      domain: 'registry.test',
      userAgent: 'ua-test',
      transport,
      authenticator: hostileAuthenticator(),
    });
    await registry.ping();
    for (const call of transport.calls) {
      expect(call.headers['user-agent']).toBe('ua-test');
      expect(call.headers['accept-encoding']).toBe('identity');
    }
  });
});

describe('redirects of requests carrying credentials', () => {
  it('refuses a 307 of the token POST to another origin instead of replaying the form', async () => {
    const transport = world('https://registry.test', 'https://auth.test/token', (request) =>
      request.url.startsWith('https://auth.test') ? { status: 307, headers: { location: 'https://evil.test/steal' } } : undefined,
    );
    const registry = new Registry({ domain: 'registry.test', transport, authenticator: formOnlyAuthenticator() });
    const error = await rejectionOf(registry.ping());
    expect(RedirectError.isInstance(error)).toBe(true);
    expect(transport.calls.map((call) => `${call.method} ${call.url}`)).toEqual([
      'GET https://registry.test/v2/',
      'POST https://auth.test/token',
    ]);
  });

  it('follows a 307 of the token POST within its origin', async () => {
    const transport = world('https://registry.test', 'https://auth.test/token', (request) =>
      request.url === 'https://auth.test/token' ? { status: 307, headers: { location: '/token2' } } : undefined,
    );
    const registry = new Registry({ domain: 'registry.test', transport, authenticator: hostileAuthenticator() });
    await registry.ping();
    const replay = transport.calls.find((call) => call.url === 'https://auth.test/token2');
    expect(replay?.method).toBe('POST');
  });

  it('refuses a cross-origin 308 of a registry PUT that carries an authorization header', async () => {
    const transport = recordingTransport((request) =>
      request.url.startsWith('https://registry.test')
        ? { status: 308, headers: { location: 'https://storage.test/put' } }
        : { status: 201 },
    );
    const registry = new Registry({
      domain: 'registry.test',
      transport,
      authenticator: {
        specificationVersion: 'v1',
        name: 'static',
        handleRequest: async () => ({ authorization: 'Bearer static-secret' }),
        handleResponse: async () => ({ resend: false }),
      },
    });
    const error = await rejectionOf(
      registry.requester.send({ method: 'PUT', url: '/v2/app/manifests/v1', body: encoder.encode('{}') }),
    );
    expect(RedirectError.isInstance(error)).toBe(true);
    expect(transport.calls.map((call) => call.url)).toEqual(['https://registry.test/v2/app/manifests/v1']);
  });

  it('still strips credential headers from a GET redirected to storage', async () => {
    const transport = recordingTransport((request) =>
      request.url.startsWith('https://registry.test')
        ? { status: 307, headers: { location: 'https://storage.test/blob?sig=x' } }
        : { status: 200, body: 'blob' },
    );
    const registry = new Registry({
      domain: 'registry.test',
      transport,
      authenticator: {
        specificationVersion: 'v1',
        name: 'static',
        handleRequest: async () => ({ authorization: 'Bearer static-secret', cookie: 'c=1' }),
        handleResponse: async () => ({ resend: false }),
      },
    });
    await registry.requester.sendForBytes({ method: 'GET', url: '/v2/app/blobs/sha256:00' }, 100, 'blob');
    const storage = transport.calls[1];
    expect(storage?.url).toBe('https://storage.test/blob?sig=x');
    expect(storage?.headers.authorization).toBeUndefined();
    expect(storage?.headers.cookie).toBeUndefined();
  });

  it('follows at most maxRedirects hops', async () => {
    let hop = 0;
    const transport = recordingTransport(() => ({ status: 302, headers: { location: `/v2/?hop=${++hop}` } }));
    const registry = new Registry({ domain: 'registry.test', transport, maxRedirects: 2 });
    expect(RedirectError.isInstance(await rejectionOf(registry.ping()))).toBe(true);
    expect(transport.calls).toHaveLength(3);
  });
});

describe('redirect and concurrency options', () => {
  it('validates maxRedirects: an integer from 0 to 100', () => {
    for (const value of [-1, 1.5, 101, Number.NaN]) {
      expect(() => new Registry({ domain: 'registry.test', maxRedirects: value })).toThrow(InvalidOptionError);
    }
    expect(() => new Registry({ domain: 'registry.test', maxRedirects: 0 })).not.toThrow();
  });

  it('knows the new option names, and hints at them when misspelt', () => {
    expect(() => new Registry({ domain: 'registry.test', maxRedirect: 3 } as never)).toThrow(/did you mean `maxRedirects`/);
    expect(() => new Registry({ domain: 'registry.test', maxConcurrentRequest: 3 } as never)).toThrow(
      /did you mean `maxConcurrentRequests`/,
    );
    expect(() => new Registry({ domain: 'registry.test', onEvents: () => undefined } as never)).toThrow(/did you mean `onEvent`/);
  });

  it('follows no redirect at all with maxRedirects: 0', async () => {
    const transport = recordingTransport(() => ({ status: 302, headers: { location: '/v2/?again' } }));
    const registry = new Registry({ domain: 'registry.test', transport, maxRedirects: 0 });
    expect(RedirectError.isInstance(await rejectionOf(registry.ping()))).toBe(true);
    expect(transport.calls).toHaveLength(1);
  });
});

describe('assertCredentialsMayTravel and checkAuthRequest', () => {
  const https: RegistryTarget = { origin: 'https://r.test', host: 'r.test', protocol: 'https', plaintextAllowed: false };
  const http: RegistryTarget = { origin: 'http://r.test', host: 'r.test', protocol: 'http', plaintextAllowed: true };
  const auth = { authorization: 'Bearer x' };

  it('passes https and requests without credentials untouched', () => {
    expect(() => assertCredentialsMayTravel('https://elsewhere.test/', auth, true, https)).not.toThrow();
    expect(() => assertCredentialsMayTravel('http://elsewhere.test/', {}, false, https)).not.toThrow();
  });

  it('refuses each credential header, and a secret body, in clear to a non-loopback host', () => {
    for (const headers of [auth, { cookie: 'a=b' }, { 'proxy-authorization': 'Basic eA==' }]) {
      expect(() => assertCredentialsMayTravel('http://elsewhere.test/', headers, false, https)).toThrow(InsecureCredentialsError);
    }
    expect(() => assertCredentialsMayTravel('http://elsewhere.test/', {}, true, https)).toThrow(InsecureCredentialsError);
    expect(() => assertCredentialsMayTravel('http://r.test/', auth, false, https)).toThrow(InsecureCredentialsError);
  });

  it('allows the origin chosen with protocol http, and loopback', () => {
    expect(() => assertCredentialsMayTravel('http://r.test/v2/', auth, false, http)).not.toThrow();
    expect(() => assertCredentialsMayTravel('http://r.test:81/v2/', auth, false, http)).toThrow(InsecureCredentialsError);
    expect(() => assertCredentialsMayTravel('http://127.0.0.2:9/', auth, false, https)).not.toThrow();
    expect(() => assertCredentialsMayTravel('http://[::1]:9/', auth, false, https)).not.toThrow();
  });

  it('checks realms only when credentials go to them', () => {
    expect(checkAuthRequest('http://evil.test/anon', {}, false, https)).toBe('http://evil.test/anon');
    expect(() => checkAuthRequest('ftp://evil.test/', auth, false, https)).toThrow(InsecureCredentialsError);
    expect(checkAuthRequest('HTTPS://Auth.Test/t', auth, false, https)).toBe('https://auth.test/t');
  });

  it('sends credentials to a plain http realm only on loopback or on the origin chosen with protocol http', () => {
    expect(checkAuthRequest('http://127.0.0.1:5056/token', auth, false, https)).toBe('http://127.0.0.1:5056/token');
    expect(checkAuthRequest('http://r.test/token', auth, true, http)).toBe('http://r.test/token');
    // Choosing http for the registry does not extend to another host's token service.
    expect(() => checkAuthRequest('http://auth.test/token', auth, false, http)).toThrow(InsecureCredentialsError);
    // An https registry whose realm is http on its own host would still downgrade the credentials.
    expect(() => checkAuthRequest('http://r.test/token', {}, true, https)).toThrow(InsecureCredentialsError);
    const error = (() => {
      try {
        checkAuthRequest('http://auth.example.com/token?secret=abc', auth, false, https);
      } catch (caught) {
        return caught as Error;
      }
    })();
    expect(error?.message).toContain('http://auth.example.com');
    expect(error?.message).not.toContain('secret=abc');
  });
});
