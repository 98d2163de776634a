import { describe, expect, it } from 'vitest';
import { NetworkError } from '../errors/network-errors';
import { TimeoutError, TransportError } from '../errors/transport-errors';
import { describeError, errorCode, mapNetworkError, type NetworkErrorContext } from './network-error';

const context: NetworkErrorContext = {
  source: '@regkit/test',
  request: {
    method: 'GET',
    url: 'https://user:pw@registry.example/v2/a/blobs/sha256:ab?X-Amz-Signature=s1gn',
    headers: { authorization: 'Bearer abcdef.ghijkl', accept: 'application/json' },
  },
  during: 'request',
  timeouts: { connect: 1_111, headers: 2_222, body: 3_333 },
};

const systemError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('mapNetworkError', () => {
  it('returns signal.reason once the caller aborted, whatever the library threw', () => {
    const reason = new Error('stop');
    expect(mapNetworkError(systemError('ECONNRESET', 'reset'), { ...context, signal: AbortSignal.abort(reason) })).toBe(reason);
  });

  it('passes regkit transport errors through', () => {
    const timeout = new TimeoutError('body', 5);
    expect(mapNetworkError(timeout, context)).toBe(timeout);
  });

  it.each([
    ['UND_ERR_CONNECT_TIMEOUT', 'connect', 1_111],
    ['UND_ERR_HEADERS_TIMEOUT', 'headers', 2_222],
    ['UND_ERR_BODY_TIMEOUT', 'body', 3_333],
    ['ETIMEDOUT', 'connect', 1_111],
  ] as const)('maps %s to TimeoutError with its phase and the timeout in force', (code, phase, ms) => {
    const error = systemError(code, 'timed out');
    const mapped = mapNetworkError(new TypeError('fetch failed', { cause: error }), context) as TimeoutError;
    expect(TimeoutError.isInstance(mapped)).toBe(true);
    expect(mapped).toMatchObject({ phase, timeoutMs: ms });
  });

  it('prefers the timeout the error states, and maps extra library codes by phase', () => {
    const stated = systemError('UND_ERR_CONNECT_TIMEOUT', 'Connect Timeout Error (attempted address: a:443, timeout: 4500ms)');
    expect((mapNetworkError(stated, context) as TimeoutError).timeoutMs).toBe(4_500);
    const axios = systemError('ECONNABORTED', 'timeout exceeded');
    const during = { ...context, timeoutCodes: { ECONNABORTED: 'during' as const } };
    expect(mapNetworkError(axios, during)).toMatchObject({ phase: 'headers' });
    expect(mapNetworkError(axios, { ...during, during: 'body' })).toMatchObject({ phase: 'body' });
  });

  it.each([
    ['ECONNREFUSED', true],
    ['ECONNRESET', true],
    ['EAI_AGAIN', true],
    ['ENOTFOUND', false],
    ['CERT_HAS_EXPIRED', false],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', false],
    ['ERR_TLS_CERT_ALTNAME_INVALID', false],
  ])('maps %s to a NetworkError with its code, retryable: %s', (code, retryable) => {
    const cause = systemError(code, `connect ${code} 10.0.0.1:443`);
    const mapped = mapNetworkError(cause, context) as NetworkError;
    expect(NetworkError.isInstance(mapped)).toBe(true);
    expect(TransportError.isInstance(mapped)).toBe(true);
    expect(mapped).toMatchObject({ code, retryable });
    expect(mapped.cause).toBe(cause);
    expect(mapped.message).toMatch(/^@regkit\/test: GET https:\/\/registry\.example\/v2\/a\/blobs\/sha256:ab/);
    expect(mapped.message).toContain(code);
    expect(mapped.message).not.toMatch(/s1gn|pw@/);
  });

  it('says when the body failed, and recognises fetch’s code-less "bad port"', () => {
    const body = mapNetworkError(systemError('UND_ERR_SOCKET', 'other side closed'), { ...context, during: 'body' }) as Error;
    expect(body.message).toMatch(/reading the response body of GET/);
    const badPort = mapNetworkError(new TypeError('fetch failed', { cause: new Error('bad port') }), context);
    expect(badPort).toMatchObject({ code: 'ERR_BAD_PORT', retryable: false });
  });

  it('keeps credential header values out of the message and the cause', () => {
    const leaky = new TypeError('Headers.append: "Bearer abcdef.ghijkl\n" is an invalid header value.');
    const mapped = mapNetworkError(leaky, context) as NetworkError;
    expect(mapped.message).not.toContain('abcdef.ghijkl');
    expect(mapped.message).toContain('[REDACTED]');
    expect(String(mapped.cause)).not.toContain('abcdef.ghijkl');
    expect(mapped.retryable).toBe(false);
    // A cause without the secret is kept as it is.
    const plain = systemError('ECONNRESET', 'read ECONNRESET');
    expect((mapNetworkError(plain, context) as Error).cause).toBe(plain);
  });

  it('never keeps an error that holds the request as cause, and explains codes on request', () => {
    const socket = systemError('ECONNRESET', 'read ECONNRESET');
    const holder = Object.assign(new Error('socket hang up'), { config: { headers: { authorization: 'x' } }, cause: socket });
    expect((mapNetworkError(holder, context) as Error).cause).toBe(socket);
    const bare = Object.assign(new Error('Request failed'), { code: 'ERR_BAD_RESPONSE', request: {} });
    const copy = (mapNetworkError(bare, context) as Error).cause as Error;
    expect(copy).not.toBe(bare);
    expect(copy).not.toHaveProperty('request');
    expect(copy).toMatchObject({ message: 'Request failed', code: 'ERR_BAD_RESPONSE' });
    const cancelled = mapNetworkError(systemError('ERR_CANCELED', 'canceled'), {
      ...context,
      explain: { ERR_CANCELED: 'cancelled by x' },
    });
    expect((cancelled as Error).message).toMatch(/failed: cancelled by x$/);
  });

  it('lets a transport replace the cause it keeps', () => {
    const holder = Object.assign(new Error('failed'), { config: { headers: { authorization: 'x' } } });
    const replaced = new Error('copy');
    expect((mapNetworkError(holder, { ...context, causeOf: () => replaced }) as Error).cause).toBe(replaced);
  });
});

describe('describeError and errorCode', () => {
  it('joins causes, adds codes, and reads an empty AggregateError’s inner messages', () => {
    const aggregate = new AggregateError([systemError('ECONNREFUSED', 'connect ECONNREFUSED ::1:5000'), new Error('second')]);
    expect(describeError(new TypeError('fetch failed', { cause: aggregate }))).toBe(
      'fetch failed: connect ECONNREFUSED ::1:5000; second',
    );
    expect(describeError(systemError('EPIPE', 'write failed'))).toBe('write failed (EPIPE)');
    expect(describeError('text')).toBe('text');
    expect(errorCode(new TypeError('x', { cause: systemError('ENOTFOUND', 'y') }))).toBe('ENOTFOUND');
    expect(errorCode(new Error('x'))).toBeUndefined();
  });
});

describe('mapNetworkError on TLS failures', () => {
  it.each([
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'],
    ['CERT_HAS_EXPIRED', 'certificate has expired'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"],
  ])('%s: names TLS and is not retryable', (code, message) => {
    const mapped = mapNetworkError(systemError(code, message), context) as NetworkError;
    expect(mapped.message).toMatch(/: TLS certificate verification failed: /);
    expect(mapped.message).toContain(message);
    expect(mapped.retryable).toBe(false);
  });

  it('does not say TLS twice', () => {
    const mapped = mapNetworkError(systemError('ERR_TLS_HANDSHAKE_TIMEOUT', 'TLS handshake timeout'), context) as NetworkError;
    expect(mapped.message).not.toMatch(/verification failed/);
  });
});
