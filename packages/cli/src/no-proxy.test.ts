import { describe, expect, it } from 'vitest';
import { isProxyExempt } from './no-proxy';

const exempt = (noProxy: string | undefined, url: string) => isProxyExempt(noProxy, new URL(url));

describe('isProxyExempt', () => {
  it('exempts nothing without NO_PROXY, and everything with *', () => {
    expect(exempt(undefined, 'http://127.0.0.1:5000/v2/')).toBe(false);
    expect(exempt('*', 'https://registry-1.docker.io/v2/')).toBe(true);
  });

  it('covers a domain and its subdomains, however the entry is written, and not look-alikes', () => {
    for (const entry of ['example.com', '.example.com', '*.example.com', 'EXAMPLE.com']) {
      expect(exempt(entry, 'https://example.com/v2/')).toBe(true);
      expect(exempt(entry, 'https://registry.example.com/v2/')).toBe(true);
      expect(exempt(entry, 'https://badexample.com/v2/')).toBe(false);
    }
  });

  it('splits on commas and spaces, and honours a port when the entry has one', () => {
    expect(exempt('foo.test, 127.0.0.1:5000 bar.test', 'http://127.0.0.1:5000/v2/')).toBe(true);
    expect(exempt('127.0.0.1:5000', 'http://127.0.0.1:5001/v2/')).toBe(false);
    expect(exempt('registry.test:443', 'https://registry.test/v2/')).toBe(true);
  });

  it('reads IPv6 entries bare or in brackets with a port', () => {
    expect(exempt('::1', 'http://[::1]:5000/v2/')).toBe(true);
    expect(exempt('[::1]:5000', 'http://[::1]:5000/v2/')).toBe(true);
    expect(exempt('[::1]:5001', 'http://[::1]:5000/v2/')).toBe(false);
  });
});
