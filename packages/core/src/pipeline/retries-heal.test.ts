import { describe, expect, it } from 'vitest';
import { InsecureCredentialsError, NetworkError, RedirectError, ServerError, TimeoutError, TransportError } from '../errors';
import { Registry } from '../registry';
import { rejectionOf } from '../test-support';
import type { Transport } from '../transport';
import { recordingTransport } from './test-transport';

const fast = { initialDelayMs: 1, maxDelayMs: 2 };

describe('retries skip what cannot heal', () => {
  it('does not repeat a NetworkError marked retryable: false (DNS not found)', async () => {
    const transport = recordingTransport(() => {
      throw new NetworkError('GET https://registry.test/v2/: getaddrinfo ENOTFOUND', { code: 'ENOTFOUND', retryable: false });
    });
    const error = await rejectionOf(new Registry({ domain: 'registry.test', transport, retry: fast }).ping());
    expect(NetworkError.isInstance(error)).toBe(true);
    expect(transport.calls).toHaveLength(1);
    expect((error as NetworkError).attempts).toBe(1);
  });

  it('repeats a NetworkError that may heal (a reset), and says how many attempts it took', async () => {
    const transport = recordingTransport(() => {
      throw new NetworkError('socket hang up', { code: 'ECONNRESET', retryable: true });
    });
    const error = await rejectionOf(new Registry({ domain: 'registry.test', transport, retry: fast }).ping());
    expect(transport.calls).toHaveLength(3);
    expect((error as NetworkError).attempts).toBe(3);
    expect((error as Error).message).toMatch(/\(after 3 attempts\)$/);
    expect((error as NetworkError).request).toEqual({ method: 'GET', url: 'https://registry.test/v2/' });
  });

  it('does not repeat an authentication request to a URL no transport fetches (a file: realm)', async () => {
    const transport = recordingTransport(() => ({
      status: 401,
      headers: { 'www-authenticate': 'Bearer realm="file:///etc/passwd"' },
    }));
    const registry = new Registry({
      domain: 'registry.test',
      transport,
      retry: fast,
      authenticator: {
        specificationVersion: 'v1',
        name: 'follows-any-realm',
        handleRequest: async () => undefined,
        async handleResponse(context) {
          await context.http.send({ method: 'GET', url: 'file:///etc/passwd', headers: {} });
          return { resend: true };
        },
      },
    });
    const error = await rejectionOf(registry.ping());
    expect(NetworkError.isInstance(error) && !error.retryable).toBe(true);
    expect((error as Error).message).toContain('refusing a file: URL for an authentication request');
    expect(transport.calls).toHaveLength(1);
  });

  it('does not repeat a refusal by policy: the credential guard, a redirect refusal', async () => {
    const insecure = recordingTransport(() => ({
      status: 401,
      headers: { 'www-authenticate': 'Bearer realm="http://evil.example/token"' },
    }));
    const registry = new Registry({
      domain: 'registry.test',
      transport: insecure,
      retry: fast,
      authenticator: {
        specificationVersion: 'v1',
        name: 'leaky',
        handleRequest: async () => undefined,
        async handleResponse(context) {
          await context.http.send({ method: 'GET', url: 'http://evil.example/token', headers: { authorization: 'Basic eDp5' } });
          return { resend: true };
        },
      },
    });
    const refused = await rejectionOf(registry.ping());
    expect(InsecureCredentialsError.isInstance(refused)).toBe(true);
    expect(insecure.calls).toHaveLength(1);
    expect((refused as InsecureCredentialsError).attempts).toBe(1);

    const downgrade = recordingTransport(() => ({ status: 302, headers: { location: 'http://registry.test/v2/' } }));
    const redirect = await rejectionOf(new Registry({ domain: 'registry.test', transport: downgrade, retry: fast }).ping());
    expect(RedirectError.isInstance(redirect)).toBe(true);
    expect(downgrade.calls).toHaveLength(1);
  });

  it('does not repeat after the caller aborts', async () => {
    const controller = new AbortController();
    const transport = recordingTransport(() => {
      controller.abort(new Error('stop'));
      throw new TransportError('reset');
    });
    await expect(
      new Registry({ domain: 'registry.test', transport, retry: fast }).ping({ signal: controller.signal }),
    ).rejects.toThrow('stop');
    expect(transport.calls).toHaveLength(1);
  });
});

describe('errors carry the attempt count and the redacted request', () => {
  it('a registry error after retries', async () => {
    const transport = recordingTransport(() => ({ status: 503, body: 'busy' }));
    const registry = new Registry({ domain: 'registry.test', transport, retry: fast });
    const error = await rejectionOf(registry.requester.send({ method: 'GET', url: '/v2/app/tags/list?n=1&token=s3cret' }));
    expect(ServerError.isInstance(error)).toBe(true);
    expect((error as ServerError).attempts).toBe(3);
    expect((error as ServerError).request.url).not.toContain('s3cret');
    expect((error as Error).message).toContain('after 3 attempts');
  });

  it('a timeout names the method, the redacted URL, the attempts and the time waited', async () => {
    // Never answers; rejects only when core's deadline aborts it.
    const calls: string[] = [];
    const hanging: Transport = {
      specificationVersion: 'v1',
      name: 'hanging',
      send: (request, options) =>
        new Promise<never>((_, reject) => {
          calls.push(request.url);
          options?.signal?.addEventListener('abort', () => reject(options.signal?.reason), { once: true });
        }),
    };
    const registry = new Registry({ domain: 'registry.test', transport: hanging, timeoutMs: 20, retry: { ...fast, limit: 2 } });
    const error = await rejectionOf(registry.requester.send({ method: 'HEAD', url: '/v2/app/manifests/v1?sig=abc' }));
    expect(TimeoutError.isInstance(error)).toBe(true);
    const message = (error as Error).message;
    expect(message).toMatch(/^HEAD https:\/\/registry\.test\/v2\/app\/manifests\/v1\?sig=REDACTED: request timeout after 20 ms/);
    expect(message).toMatch(/after 3 attempts, \d+ ms waited in all/);
    expect((error as TimeoutError).attempts).toBe(3);
    expect((error as TimeoutError).request?.method).toBe('HEAD');
    expect(calls).toHaveLength(3);
  });

  it('leaves a caller abort reason alone, even a regkit error of another request', async () => {
    const controller = new AbortController();
    const reason = new ServerError({ status: 500, request: { method: 'PUT', url: 'https://elsewhere.test/' } });
    const transport = recordingTransport(() => {
      controller.abort(reason);
      throw new TransportError('reset');
    });
    const error = await rejectionOf(new Registry({ domain: 'registry.test', transport }).ping({ signal: controller.signal }));
    expect(error).toBe(reason);
    expect(reason.attempts).toBeUndefined();
    expect(reason.message).not.toContain('attempts');
  });

  it('errors that do not come from a request carry no attempts', () => {
    expect(new ServerError({ status: 500, request: { method: 'GET', url: 'x' } }).attempts).toBeUndefined();
  });
});
