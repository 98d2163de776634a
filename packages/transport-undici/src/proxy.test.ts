import { InvalidOptionError } from '@regkit/core';
import { Agent } from 'undici';
import { describe, expect, it } from 'vitest';
import { createUndiciTransport } from './undici-transport';

function thrown(run: () => unknown): InvalidOptionError {
  try {
    run();
  } catch (error) {
    expect(InvalidOptionError.isInstance(error)).toBe(true);
    return error as InvalidOptionError;
  }
  throw new Error('expected InvalidOptionError');
}

describe('createUndiciTransport proxy options', () => {
  it('accepts a proxy URL, a { uri, token } pair, or useEnvProxy', async () => {
    for (const options of [
      { httpProxy: 'http://127.0.0.1:3128' },
      { httpProxy: 'https://user:p%40ss@proxy.internal:3129' },
      { httpProxy: { uri: 'http://[::1]:3128', token: 'Bearer t' } },
      { useEnvProxy: true },
      { useEnvProxy: false, dispatcher: new Agent() },
    ]) {
      const transport = createUndiciTransport(options);
      expect(transport.name).toBe('undici');
      await transport.close?.();
    }
  });

  it('refuses proxies it cannot use, naming the option and never echoing credentials', () => {
    const cases: [unknown, RegExp][] = [
      ['', /must be a proxy URL/],
      [{ token: 'x' }, /must be a proxy URL/],
      ['proxy.internal', /not an absolute URL/],
      ['user:secret@proxy.internal:3128', /must be an http: or https: URL/],
      ['socks5://u:secret@127.0.0.1:1080', /must be an http: or https: URL/],
      ['http://u:secret@127.0.0.1:3128/some/path', /bare origin/],
      [{ uri: 'http://127.0.0.1:3128', token: 'secret\r\nx: y' }, /without control characters/],
      [{ uri: 'http://u:secret@127.0.0.1:3128', token: 'Basic x' }, /not both/],
    ];
    for (const [httpProxy, message] of cases) {
      const error = thrown(() => createUndiciTransport({ httpProxy: httpProxy as never }));
      expect(error.option).toBe('httpProxy');
      expect(error.message).toMatch(message);
      expect(error.message).toMatch(/^@regkit\/transport-undici: /);
      expect(error.message).not.toContain('secret');
    }
  });

  it('refuses combinations that would silently ignore a proxy', () => {
    expect(thrown(() => createUndiciTransport({ httpProxy: 'http://127.0.0.1:3128', useEnvProxy: true })).message).toMatch(
      /not both/,
    );
    const withDispatcher = thrown(() => createUndiciTransport({ httpProxy: 'http://127.0.0.1:3128', dispatcher: new Agent() }));
    expect(withDispatcher.option).toBe('httpProxy');
    expect(withDispatcher.message).toMatch(/ProxyAgent or EnvHttpProxyAgent as the dispatcher/);
    expect(thrown(() => createUndiciTransport({ useEnvProxy: true, dispatcher: new Agent() })).option).toBe('useEnvProxy');
    expect(thrown(() => createUndiciTransport({ useEnvProxy: 'yes' as never })).option).toBe('useEnvProxy');
  });
});
