import { TimeoutError, TransportError } from '@regkit/core';
import { AxiosError } from 'axios';
import { describe, expect, it } from 'vitest';
import { mapAxiosError } from './map-axios-error';

const context = {
  method: 'GET',
  url: 'http://127.0.0.1:5000/v2/?token=abc',
  signal: undefined,
  timeoutMs: 1234,
  during: 'request' as const,
};
const config = { headers: { authorization: 'Bearer secret' } } as never;

describe('mapAxiosError', () => {
  it('maps ECONNABORTED and ETIMEDOUT to TimeoutError with the phase and the limit', () => {
    for (const code of ['ECONNABORTED', 'ETIMEDOUT']) {
      const headers = mapAxiosError(new AxiosError('timeout of 1234ms exceeded', code, config), context);
      expect(TimeoutError.isInstance(headers)).toBe(true);
      expect(headers).toMatchObject({ phase: 'headers', timeoutMs: 1234 });
      const body = mapAxiosError(new AxiosError('timeout', code, config), { ...context, during: 'body' });
      expect(body).toMatchObject({ phase: 'body' });
    }
  });

  it('returns signal.reason when the signal aborted, whatever axios threw', () => {
    const reason = new Error('stop');
    const signal = AbortSignal.abort(reason);
    expect(mapAxiosError(new AxiosError('canceled', 'ERR_CANCELED', config), { ...context, signal })).toBe(reason);
    expect(mapAxiosError(new AxiosError('reset', 'ECONNRESET', config), { ...context, signal })).toBe(reason);
  });

  it('maps refused and reset connections to TransportError whose cause is the socket error, not the AxiosError', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET']) {
      const socketError = Object.assign(new Error(`connect ${code} 127.0.0.1:5000`), { code });
      const error = mapAxiosError(AxiosError.from(socketError, undefined, config), context);
      expect(TransportError.isInstance(error)).toBe(true);
      expect(TimeoutError.isInstance(error)).toBe(false);
      expect((error as Error).cause).toBe(socketError);
      expect((error as Error).message).toContain(code);
      expect((error as Error).message).not.toContain('abc');
    }
  });

  it('keeps no axios config (with request headers) anywhere in the error', () => {
    const error = mapAxiosError(new AxiosError('Request failed', 'ERR_BAD_RESPONSE', config), context) as Error;
    expect(error.cause).toBeInstanceOf(Error);
    expect(error.cause).not.toBeInstanceOf(AxiosError);
    expect(error.cause).toMatchObject({ code: 'ERR_BAD_RESPONSE' });
    expect(JSON.stringify(error.cause, Object.getOwnPropertyNames(error.cause))).not.toContain('secret');
  });

  it('explains a cancel that did not come from the signal', () => {
    const error = mapAxiosError(new AxiosError('canceled', 'ERR_CANCELED', config), context) as Error;
    expect(TransportError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/cancelled by the axios instance/);
  });

  it('passes regkit errors through', () => {
    const timeout = new TimeoutError('body', 5);
    expect(mapAxiosError(timeout, context)).toBe(timeout);
  });
});
