import { InvalidOptionError } from '@regkit/core';
import { describe, expect, it } from 'vitest';
import { corsPreflightHeaders, corsResponseHeaders, isPreflight, resolveCors } from './cors';

describe('resolveCors', () => {
  it.each([
    [undefined, undefined],
    [false, undefined],
    [true, { allowOrigin: '*' }],
    ['*', { allowOrigin: '*' }],
    ['http://127.0.0.1:5173', { allowOrigin: 'http://127.0.0.1:5173' }],
    ['https://dashboard.example', { allowOrigin: 'https://dashboard.example' }],
  ])('accepts %j', (option, policy) => {
    expect(resolveCors(option)).toEqual(policy);
  });

  it.each(['', 'yes', 'http://127.0.0.1:5173/', 'http://127.0.0.1:5173/app', 'null', 'file:///tmp/page.html', 1, null, {}])(
    'refuses %j with InvalidOptionError naming cors',
    (option) => {
      let caught: unknown;
      try {
        resolveCors(option);
      } catch (error) {
        caught = error;
      }
      expect(InvalidOptionError.isInstance(caught)).toBe(true);
      expect(caught).toMatchObject({
        option: 'cors',
        message: expect.stringMatching(/^@regkit\/testing: listen\(\) option `cors`/),
      });
    },
  );
});

describe('CORS headers', () => {
  it('names authorization among the allowed headers, since * would not cover it', () => {
    const headers = corsPreflightHeaders({ allowOrigin: '*' });
    expect(headers['access-control-allow-headers']?.split(', ')).toEqual([
      'authorization',
      'accept',
      'content-type',
      'range',
      'content-range',
    ]);
    expect(headers['access-control-allow-origin']).toBe('*');
    expect(headers['access-control-expose-headers']).toBe(
      'docker-content-digest, www-authenticate, link, content-length, content-range, location, range, oci-chunk-min-length, docker-upload-uuid',
    );
  });

  it("lets a page upload in chunks: PATCH with Content-Range allowed, the session's Location and Range readable", () => {
    const preflight = corsPreflightHeaders({ allowOrigin: 'http://127.0.0.1:5173' });
    expect(preflight['access-control-allow-methods']?.split(', ')).toEqual(expect.arrayContaining(['POST', 'PATCH', 'PUT']));
    expect(preflight['access-control-allow-headers']?.split(', ')).toContain('content-range');
    const exposed = corsResponseHeaders({ allowOrigin: 'http://127.0.0.1:5173' })['access-control-expose-headers']?.split(', ');
    expect(exposed).toEqual(expect.arrayContaining(['location', 'range', 'oci-chunk-min-length', 'docker-content-digest']));
  });

  it('varies on Origin only for a single allowed origin', () => {
    expect(corsResponseHeaders({ allowOrigin: '*' }).vary).toBeUndefined();
    expect(corsResponseHeaders({ allowOrigin: 'http://127.0.0.1:5173' }).vary).toBe('Origin');
  });

  it('treats only OPTIONS with Access-Control-Request-Method as a preflight', () => {
    expect(isPreflight('OPTIONS', new Headers({ 'access-control-request-method': 'GET' }))).toBe(true);
    expect(isPreflight('OPTIONS', new Headers())).toBe(false);
    expect(isPreflight('GET', new Headers({ 'access-control-request-method': 'GET' }))).toBe(false);
  });
});
