import { InvalidOptionError } from '@regkit/core';
import { describe, expect, it } from 'vitest';
import { readProxyRoutes } from './proxy-environment';

const target = (url: string) => new URL(url);

describe('readProxyRoutes', () => {
  it('is undefined without proxy variables, and empty values count as unset', () => {
    expect(readProxyRoutes({})).toBeUndefined();
    expect(readProxyRoutes({ HTTP_PROXY: '', HTTPS_PROXY: ' ', http_proxy: '', https_proxy: '' })).toBeUndefined();
  });

  it('routes http targets by HTTP_PROXY and https ones by HTTPS_PROXY, falling back to HTTP_PROXY', () => {
    const both = readProxyRoutes({ HTTP_PROXY: 'http://plain.proxy:3128', https_proxy: 'http://tls.proxy:3129' });
    expect(both?.proxyFor(target('http://registry.test/v2/'))?.origin).toBe('http://plain.proxy:3128');
    expect(both?.proxyFor(target('https://registry.test/v2/'))?.origin).toBe('http://tls.proxy:3129');
    const onlyHttp = readProxyRoutes({ HTTP_PROXY: 'http://plain.proxy:3128', https_proxy: '' });
    expect(onlyHttp?.proxyFor(target('https://registry.test/v2/'))?.origin).toBe('http://plain.proxy:3128');
    const onlyHttps = readProxyRoutes({ HTTPS_PROXY: 'http://tls.proxy:3129' });
    expect(onlyHttps?.proxyFor(target('http://registry.test/v2/'))).toBeUndefined();
  });

  it('reaches NO_PROXY hosts directly', () => {
    const routes = readProxyRoutes({ HTTPS_PROXY: 'http://tls.proxy:3129', NO_PROXY: '.internal' });
    expect(routes?.proxyFor(target('https://registry.internal/v2/'))).toBeUndefined();
    expect(routes?.proxyFor(target('https://registry-1.docker.io/v2/'))?.origin).toBe('http://tls.proxy:3129');
  });

  it('turns user info into Basic proxy credentials', () => {
    const routes = readProxyRoutes({ HTTPS_PROXY: 'http://me:p%40ss@tls.proxy:3129' });
    const proxy = routes?.proxyFor(target('https://registry.test/v2/'));
    expect(proxy).toMatchObject({ origin: 'http://tls.proxy:3129', authorization: `Basic ${btoa('me:p@ss')}` });
  });

  it('rejects a proxy that is not a bare http origin, naming the variable and never its password', () => {
    for (const value of ['https://me:hunter2@tls.proxy:3129', 'http://me:hunter2@tls.proxy:3129/path', 'not a url hunter2']) {
      let caught: unknown;
      try {
        readProxyRoutes({ HTTPS_PROXY: value });
      } catch (error) {
        caught = error;
      }
      expect(InvalidOptionError.isInstance(caught)).toBe(true);
      expect((caught as InvalidOptionError).option).toBe('HTTPS_PROXY');
      expect((caught as Error).message).not.toContain('hunter2');
    }
  });
});
