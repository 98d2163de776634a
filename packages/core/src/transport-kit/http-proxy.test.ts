import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../errors/option-errors';
import { readProxyEnvironment, resolveHttpProxy } from './http-proxy';

const policy = { source: '@regkit/test' };

describe('resolveHttpProxy', () => {
  it('reads host, port and Basic credentials (percent-decoded) from the URL', () => {
    expect(resolveHttpProxy('http://me:p%40ss@proxy.internal:3128', policy)).toEqual({
      origin: 'http://proxy.internal:3128',
      protocol: 'http:',
      hostname: 'proxy.internal',
      port: 3128,
      authorization: `Basic ${Buffer.from('me:p@ss').toString('base64')}`,
    });
  });

  it('defaults the port, takes a token as the header value, and allows https: when asked', () => {
    expect(resolveHttpProxy({ uri: 'http://[::1]', token: 'Bearer t' }, policy)).toMatchObject({
      hostname: '::1',
      port: 80,
      authorization: 'Bearer t',
    });
    expect(resolveHttpProxy('https://proxy', { ...policy, protocols: ['http:', 'https:'] })).toMatchObject({ port: 443 });
  });

  it('refuses what it cannot use with InvalidOptionError, never echoing credentials', () => {
    const bad: unknown[] = [
      '',
      42,
      { token: 'x' },
      'proxy:3128',
      'user:secret@proxy:3128',
      'https://u:secret@proxy:3128',
      'socks5://u:secret@proxy:1080',
      'http://u:secret@proxy:3128/path',
      { uri: 'http://proxy:3128', token: 'a\r\nb: secret' },
      { uri: 'http://u:secret@proxy:3128', token: 'Basic x' },
    ];
    for (const option of bad) {
      let thrown: unknown;
      try {
        resolveHttpProxy(option, policy);
      } catch (error) {
        thrown = error;
      }
      expect(InvalidOptionError.isInstance(thrown), JSON.stringify(option)).toBe(true);
      expect((thrown as InvalidOptionError).option).toBe('httpProxy');
      expect((thrown as Error).message).toMatch(/^@regkit\/test: /);
      expect((thrown as Error).message).not.toContain('secret');
    }
  });
});

describe('readProxyEnvironment', () => {
  it('prefers lower-case names and treats empty values as unset', () => {
    expect(
      readProxyEnvironment({ http_proxy: '', HTTP_PROXY: 'http://upper:1', https_proxy: ' ', HTTPS_PROXY: '', no_proxy: 'a,b' }),
    ).toEqual({ httpProxy: 'http://upper:1', noProxy: 'a,b' });
    expect(readProxyEnvironment({ https_proxy: 'http://lower:2', HTTPS_PROXY: 'http://upper:2' })).toEqual({
      httpsProxy: 'http://lower:2',
    });
    expect(readProxyEnvironment({})).toEqual({});
  });
});
