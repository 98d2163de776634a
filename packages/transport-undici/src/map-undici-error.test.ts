import { TimeoutError, TransportError } from '@regkit/core';
import { errors } from 'undici';
import { describe, expect, it } from 'vitest';
import { mapUndiciError, type UndiciErrorContext } from './map-undici-error';

const context: UndiciErrorContext = {
  method: 'GET',
  url: 'https://registry.example/v2/library/alpine/blobs/sha256:ab?X-Amz-Signature=secret',
  signal: undefined,
  timeouts: { connect: 1_111, headers: 2_222, body: 3_333 },
  during: 'request',
};

function systemError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('mapUndiciError', () => {
  it.each([
    [new errors.ConnectTimeoutError(), 'connect', 1_111],
    [new errors.HeadersTimeoutError(), 'headers', 2_222],
    [new errors.BodyTimeoutError(), 'body', 3_333],
  ] as const)('maps %s to TimeoutError with its phase and the timeout in force', (error, phase, ms) => {
    const mapped = mapUndiciError(error, context);
    expect(TimeoutError.isInstance(mapped)).toBe(true);
    expect((mapped as TimeoutError).phase).toBe(phase);
    expect((mapped as TimeoutError).timeoutMs).toBe(ms);
    expect((mapped as TimeoutError).cause).toBe(error);
  });

  it('reads the connect timeout from the message when undici states it (e.g. a user dispatcher)', () => {
    const error = new errors.ConnectTimeoutError('Connect Timeout Error (attempted address: 10.1.2.3:443, timeout: 4500ms)');
    expect((mapUndiciError(error, context) as TimeoutError).timeoutMs).toBe(4_500);
  });

  it('maps by code, so errors from another copy of undici map too', () => {
    const foreign = systemError('UND_ERR_HEADERS_TIMEOUT', 'Headers Timeout Error');
    expect((mapUndiciError(foreign, context) as TimeoutError).phase).toBe('headers');
  });

  it.each([
    ['ECONNREFUSED', systemError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9')],
    ['ECONNRESET', systemError('ECONNRESET', 'read ECONNRESET')],
    ['ENOTFOUND', systemError('ENOTFOUND', 'getaddrinfo ENOTFOUND registry.example')],
    ['UND_ERR_SOCKET', new errors.SocketError('other side closed')],
    ['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', new errors.ResponseContentLengthMismatchError()],
    ['HPE_INVALID_CONSTANT', Object.assign(new errors.HTTPParserError('Expected HTTP/'), { code: 'HPE_INVALID_CONSTANT' })],
    ['UND_ERR_CLOSED', new errors.ClientClosedError()],
  ])('maps %s to a TransportError (not a timeout) naming the code, with the cause', (code, error) => {
    const mapped = mapUndiciError(error, context) as TransportError;
    expect(TransportError.isInstance(mapped)).toBe(true);
    expect(TimeoutError.isInstance(mapped)).toBe(false);
    expect(mapped.cause).toBe(error);
    expect(mapped.message).toMatch(
      /^\[@regkit\/transport-undici\] GET https:\/\/registry\.example\/v2\/library\/alpine\/blobs\/sha256:ab/,
    );
    expect(mapped.message).toContain(code);
  });

  it('never puts signed query values in the message', () => {
    const mapped = mapUndiciError(systemError('ECONNRESET', 'read ECONNRESET'), context) as TransportError;
    expect(mapped.message).not.toContain('secret');
  });

  it('says when the failure came while reading the body', () => {
    const mapped = mapUndiciError(new errors.SocketError('other side closed'), { ...context, during: 'body' }) as Error;
    expect(mapped.message).toMatch(/reading the response body of GET/);
  });

  it('describes an AggregateError from happy-eyeballs connect, whose own message is empty', () => {
    const error = Object.assign(
      new AggregateError([new Error('connect ECONNREFUSED ::1:5000'), new Error('connect ECONNREFUSED 127.0.0.1:5000')], ''),
      { code: 'ECONNREFUSED' },
    );
    const mapped = mapUndiciError(error, context) as TransportError;
    expect(TransportError.isInstance(mapped)).toBe(true);
    expect(mapped.message).toMatch(/failed: connect ECONNREFUSED ::1:5000; connect ECONNREFUSED 127\.0\.0\.1:5000$/);
  });

  it('returns signal.reason, whatever undici threw, once the signal aborted', () => {
    const reason = new Error('caller cancelled');
    const signal = AbortSignal.abort(reason);
    expect(mapUndiciError(new errors.RequestAbortedError(), { ...context, signal })).toBe(reason);
    expect(mapUndiciError(new errors.BodyTimeoutError(), { ...context, signal })).toBe(reason);
  });

  it('maps UND_ERR_ABORTED without an aborted signal (a destroyed dispatcher) to TransportError', () => {
    const error = new errors.RequestAbortedError();
    expect(TransportError.isInstance(mapUndiciError(error, { ...context, signal: new AbortController().signal }))).toBe(true);
  });

  it('passes regkit transport errors through untouched', () => {
    const error = new TransportError('already mapped');
    expect(mapUndiciError(error, context)).toBe(error);
  });

  it('wraps non-Error throwables', () => {
    const mapped = mapUndiciError('boom', context) as TransportError;
    expect(TransportError.isInstance(mapped)).toBe(true);
    expect(mapped.message).toMatch(/failed: boom$/);
  });
});
