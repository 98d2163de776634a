import { inspect } from 'node:util';
import { InvalidOptionError } from '@regkit/core';
import { describe, expect, it } from 'vitest';
import { createMemoryTokenCache } from './token-cache';

const token = (value: string) => ({ token: value, expiresAt: 2, refreshAt: 1 });

describe('createMemoryTokenCache', () => {
  it('stores, replaces and deletes', () => {
    const cache = createMemoryTokenCache();
    expect(cache.get('k')).toBeUndefined();
    cache.set('k', token('a'));
    cache.set('k', token('b'));
    expect(cache.get('k')).toEqual(token('b'));
    cache.delete('k');
    expect(cache.get('k')).toBeUndefined();
  });

  it('evicts the least recently used entry beyond maxEntries', () => {
    const cache = createMemoryTokenCache({ maxEntries: 2 });
    cache.set('a', token('a'));
    cache.set('b', token('b'));
    cache.get('a'); // a is now more recent than b
    cache.set('c', token('c'));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toEqual(token('a'));
    expect(cache.get('c')).toEqual(token('c'));
  });

  it('does not show tokens when printed', () => {
    const cache = createMemoryTokenCache();
    cache.set('k', token('secret-token'));
    for (const text of [String(cache), JSON.stringify(cache), inspect(cache, { depth: 10, showHidden: true })]) {
      expect(text).not.toContain('secret-token');
    }
  });

  it('rejects a bad maxEntries', () => {
    expect(() => createMemoryTokenCache({ maxEntries: 0 })).toThrow(InvalidOptionError);
    expect(() => createMemoryTokenCache({ maxEntries: 1.5 })).toThrow(/@regkit\/auth-token: maxEntries/);
  });
});
