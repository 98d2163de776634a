import { InvalidOptionError, TimeoutError, TransportError } from '@regkit/core';
import axios, { AxiosError, type AxiosInstance } from 'axios';
import { describe, expect, it } from 'vitest';
import { createAxiosTransport } from './axios-transport';

const URL_ = 'http://127.0.0.1:5000/v2/?token=abc';
const config = { headers: { authorization: 'Bearer s3cr3t-token' } } as never;

/** An axios instance whose adapter fails every request with `error`. */
function failingInstance(error: unknown): AxiosInstance {
  return axios.create({ adapter: () => Promise.reject(error) });
}

function thrown(run: () => unknown): InvalidOptionError {
  try {
    run();
  } catch (error) {
    if (InvalidOptionError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected InvalidOptionError');
}

describe('createAxiosTransport options', () => {
  it('refuses misspelt options with a did-you-mean hint, and `proxy` with a pointer to httpProxy', () => {
    expect(thrown(() => createAxiosTransport({ timeout: 5 } as never)).message).toMatch(/did you mean `timeoutMs`/);
    expect(thrown(() => createAxiosTransport({ proxy: 'http://127.0.0.1:3128' } as never)).message).toMatch(
      /^@regkit\/transport-axios: createAxiosTransport\(\) has no option `proxy` \(an HTTP forward proxy is `httpProxy`/,
    );
  });

  it('refuses a timeoutMs above 2³¹−1, which the platform would fire after 1 ms', () => {
    expect(thrown(() => createAxiosTransport({ timeoutMs: 2 ** 31 })).option).toBe('timeoutMs');
  });

  it('checks tls, and refuses it with a user instance', () => {
    expect(thrown(() => createAxiosTransport({ tls: { insecure: 1 } as never })).option).toBe('tls');
    expect(() => createAxiosTransport({ tls: { insecure: true } })).not.toThrow();
    expect(thrown(() => createAxiosTransport({ instance: axios.create(), tls: { insecure: true } })).message).toMatch(
      /set it on your instance's httpsAgent/,
    );
  });

  it('refuses proxy URLs it cannot use, without echoing them', () => {
    for (const httpProxy of ['https://u:secret@127.0.0.1:3128', 'socks5://u:secret@127.0.0.1:1080']) {
      const error = thrown(() => createAxiosTransport({ httpProxy }));
      expect(error.message).toMatch(/must be an http: URL/);
      expect(error.message).not.toContain('secret');
    }
  });
});

describe('createAxiosTransport errors', () => {
  it('maps axios timeouts to TimeoutError with the limit', async () => {
    for (const code of ['ECONNABORTED', 'ETIMEDOUT']) {
      const transport = createAxiosTransport({
        instance: failingInstance(new AxiosError('timeout', code, config)),
        timeoutMs: 1234,
      });
      const error = await transport.send({ method: 'GET', url: URL_, headers: {} }).catch((e: unknown) => e);
      expect(TimeoutError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ phase: 'headers', timeoutMs: 1234 });
    }
  });

  it('keeps the socket error as cause, never the AxiosError with its config', async () => {
    const socketError = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5000'), { code: 'ECONNREFUSED' });
    const transport = createAxiosTransport({ instance: failingInstance(AxiosError.from(socketError, undefined, config)) });
    const error = (await transport.send({ method: 'GET', url: URL_, headers: {} }).catch((e: unknown) => e)) as TransportError;
    expect(TransportError.isInstance(error)).toBe(true);
    expect(error.cause).toBe(socketError);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).not.toContain('abc');

    const bare = createAxiosTransport({
      instance: failingInstance(new AxiosError('Request failed', 'ERR_BAD_RESPONSE', config)),
    });
    const plain = (await bare.send({ method: 'GET', url: URL_, headers: {} }).catch((e: unknown) => e)) as Error;
    expect(plain.cause).not.toBeInstanceOf(AxiosError);
    expect(plain.cause).toMatchObject({ code: 'ERR_BAD_RESPONSE' });
    expect(JSON.stringify(plain.cause, Object.getOwnPropertyNames(plain.cause))).not.toContain('s3cr3t');
  });

  it('explains a cancel that did not come from the signal, and returns signal.reason for one that did', async () => {
    const transport = createAxiosTransport({ instance: failingInstance(new AxiosError('canceled', 'ERR_CANCELED', config)) });
    const error = (await transport.send({ method: 'GET', url: URL_, headers: {} }).catch((e: unknown) => e)) as Error;
    expect(TransportError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/cancelled by the axios instance/);
    const controller = new AbortController();
    const reason = new Error('stop');
    const aborting = axios.create({
      adapter: () => {
        controller.abort(reason);
        return Promise.reject(new AxiosError('canceled', 'ERR_CANCELED', config));
      },
    });
    const outcome = await createAxiosTransport({ instance: aborting })
      .send({ method: 'GET', url: URL_, headers: {} }, { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(outcome).toBe(reason);
  });
});
