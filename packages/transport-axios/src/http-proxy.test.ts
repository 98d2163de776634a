import { InvalidOptionError } from '@regkit/core';
import { describe, expect, it } from 'vitest';
import { resolveHttpProxy } from './http-proxy';

describe('resolveHttpProxy', () => {
  it('reads host, port and Basic credentials (percent-decoded) from the URL', () => {
    expect(resolveHttpProxy('http://me:p%40ss@proxy.internal:3128')).toEqual({
      protocol: 'http:',
      hostname: 'proxy.internal',
      port: 3128,
      authorization: `Basic ${Buffer.from('me:p@ss').toString('base64')}`,
      display: 'http://proxy.internal:3128',
    });
  });

  it('defaults the port to 80 and takes a token as the header value', () => {
    expect(resolveHttpProxy({ uri: 'http://[::1]', token: 'Bearer t' })).toMatchObject({
      hostname: '::1',
      port: 80,
      authorization: 'Bearer t',
      display: 'http://[::1]',
    });
  });

  it('refuses what it cannot use with InvalidOptionError naming httpProxy, never echoing credentials', () => {
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
        resolveHttpProxy(option as never);
      } catch (error) {
        thrown = error;
      }
      expect(InvalidOptionError.isInstance(thrown), JSON.stringify(option)).toBe(true);
      expect((thrown as InvalidOptionError).message).toMatch(/^\[@regkit\/transport-axios\]/);
      expect((thrown as InvalidOptionError).message).not.toContain('secret');
    }
  });
});
