import { describe, expect, it } from 'vitest';
import { joinHeaders, withIdentityEncoding } from './headers';
import { finishResponse, hasNoBody } from './response';

describe('joinHeaders', () => {
  it('lower-cases names and joins repeats from Headers, records with arrays, and toJSON objects', () => {
    const web = new Headers([
      ['Set-Cookie', 'a=1'],
      ['Set-Cookie', 'b=2'],
      ['Link', '<x>'],
    ]);
    expect(joinHeaders(web)).toEqual({ 'set-cookie': 'a=1, b=2', link: '<x>' });
    expect(
      joinHeaders({ 'WWW-Authenticate': ['Bearer a', 'Basic b'], 'content-length': 5, gone: undefined, off: false }),
    ).toEqual({
      'www-authenticate': 'Bearer a, Basic b',
      'content-length': '5',
    });
    expect(joinHeaders({ toJSON: () => ({ 'X-A': 'one', 'x-a': 'two' }) })).toEqual({ 'x-a': 'one, two' });
    expect(joinHeaders(undefined)).toEqual({});
  });

  it('adds accept-encoding: identity unless the caller chose one', () => {
    expect(withIdentityEncoding({ accept: 'x' })).toEqual({ accept: 'x', 'accept-encoding': 'identity' });
    expect(withIdentityEncoding({ 'accept-encoding': 'gzip' })).toEqual({ 'accept-encoding': 'gzip' });
  });
});

describe('finishResponse', () => {
  const request = { method: 'GET' as const, url: 'http://127.0.0.1/v2/', headers: {} };
  const stream = new ReadableStream<Uint8Array>();

  it('has no body for HEAD, 204 and 304, and discards the library body', () => {
    expect([hasNoBody('HEAD', 200), hasNoBody('GET', 204), hasNoBody('GET', 304), hasNoBody('GET', 200)]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    const discarded: string[] = [];
    const raw = { headers: {}, body: 'lib-body', open: () => stream, discard: (b: string) => void discarded.push(b) };
    expect(finishResponse({ ...request, method: 'HEAD' }, { ...raw, status: 200 }).body).toBeNull();
    expect(finishResponse(request, { ...raw, status: 204 })).toEqual({ status: 204, headers: {}, url: request.url, body: null });
    expect(discarded).toEqual(['lib-body', 'lib-body']);
    expect(finishResponse(request, { ...raw, status: 200 }).body).toBe(stream);
    expect(finishResponse(request, { ...raw, status: 200, body: null }).body).toBeNull();
  });
});
