import { describe, expect, it } from 'vitest';
import type { Authenticator } from '../authenticator';
import type { RegistryResponseError } from '../errors';
import { Registry } from '../registry';
import { rejectionOf as rejectionOfAny } from '../test-support';
import type { HeaderMap } from '../transport';
import { REDACTED, scrubCredentials, sentCredentials } from './credential-scrub';
import { recordingTransport } from './test-transport';

const USER = 'alice';
const PASSWORD = 'p@ss "word" 42';
const BASIC = `Basic ${btoa(`${USER}:${PASSWORD}`)}`;

function staticAuth(headers: HeaderMap): Authenticator {
  return {
    specificationVersion: 'v1',
    name: 'static',
    handleRequest: async () => headers,
    handleResponse: async () => ({ resend: false }),
  };
}

const rejectionOf = (promise: Promise<unknown>) => rejectionOfAny<RegistryResponseError>(promise);

function everything(error: RegistryResponseError): string {
  return [error.message, error.bodyText ?? '', JSON.stringify(error.errors)].join('\n');
}

describe('credentials echoed by a registry are scrubbed from errors', () => {
  it('from an OCI error envelope quoting the Authorization header, the pair and the password', async () => {
    const transport = recordingTransport((request) => ({
      status: 400,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        errors: [
          {
            code: 'DENIED',
            message: `bad header ${request.headers.authorization} for ${USER}:${PASSWORD}`,
            detail: { password: PASSWORD, form: `password=${encodeURIComponent(PASSWORD)}` },
          },
        ],
      }),
    }));
    const registry = new Registry({
      domain: 'registry.test',
      transport,
      retry: { limit: 0 },
      authenticator: staticAuth({ authorization: BASIC }),
    });
    const error = await rejectionOf(registry.ping());
    const text = everything(error);
    for (const secret of [BASIC, btoa(`${USER}:${PASSWORD}`), `${USER}:${PASSWORD}`, PASSWORD, encodeURIComponent(PASSWORD)]) {
      expect(text).not.toContain(secret);
    }
    expect(error.message).toContain(REDACTED);
    expect(error.errors[0]?.code).toBe('DENIED');
  });

  it('from a plain-text body echoing a bearer token and a cookie', async () => {
    const transport = recordingTransport((request) => ({
      status: 500,
      body: `debug proxy: ${JSON.stringify(request.headers)}`,
    }));
    const registry = new Registry({
      domain: 'registry.test',
      transport,
      retry: { limit: 0 },
      authenticator: staticAuth({ authorization: 'Bearer tok.en-value_123', cookie: 'session=cookie-secret-9' }),
    });
    const error = await rejectionOf(registry.ping());
    expect(error.bodyText).toBeDefined();
    expect(everything(error)).not.toContain('tok.en-value_123');
    expect(everything(error)).not.toContain('cookie-secret-9');
    expect(error.bodyText).toContain('user-agent');
  });
});

describe('sentCredentials', () => {
  it('lists the header value, the token, the decoded pair and the password, longest first', () => {
    const found = sentCredentials({ authorization: BASIC, accept: 'x' });
    expect(found).toEqual([BASIC, btoa(`${USER}:${PASSWORD}`), `${USER}:${PASSWORD}`, PASSWORD]);
  });

  it('does not search for a very short password alone, but still for the pair', () => {
    const found = sentCredentials({ authorization: `Basic ${btoa('bob:ab')}` });
    expect(found).toContain('bob:ab');
    expect(found).not.toContain('ab');
  });

  it('scrubs JSON-escaped and form-encoded forms', () => {
    const text = `${JSON.stringify(PASSWORD)} ${new URLSearchParams({ p: PASSWORD }).toString()}`;
    expect(scrubCredentials(text, [PASSWORD])).toBe(`"${REDACTED}" p=${REDACTED}`);
  });
});
