import { createHash, createHmac } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fromBase64, toBase64, toBase64Url } from './base64';
import { constantTimeEqual, createSha256, hmacSha256Hex, randomBytes, sha256Hex } from './portable-crypto';

/** A fresh copy of the module with `process.getBuiltinModule` gone, as in browsers and workers. */
async function importWithoutBuiltins(): Promise<typeof import('./portable-crypto')> {
  vi.resetModules();
  const original = process.getBuiltinModule;
  Object.defineProperty(process, 'getBuiltinModule', { value: undefined, configurable: true, writable: true });
  try {
    return await import('./portable-crypto');
  } finally {
    Object.defineProperty(process, 'getBuiltinModule', { value: original, configurable: true, writable: true });
  }
}

afterEach(() => {
  vi.resetModules();
});

const SAMPLES = ['', 'abc', 'regkit-blob:seed', 'ü'.repeat(1000)];

describe('portable crypto', () => {
  it.each(SAMPLES)('sha256 of %j matches node:crypto, with and without it', async (text) => {
    const expected = createHash('sha256').update(text).digest('hex');
    expect(sha256Hex(text)).toBe(expected);
    const portable = await importWithoutBuiltins();
    expect(portable.sha256Hex(text)).toBe(expected);
    expect(portable.sha256Hex(new TextEncoder().encode(text))).toBe(expected);
    const chunked = portable.createSha256().update(text.slice(0, 2)).update(text.slice(2)).digest();
    expect(Buffer.from(chunked).toString('hex')).toBe(expected);
  });

  it('hmacSha256Hex matches node:crypto', () => {
    const key = Uint8Array.from({ length: 16 }, (_, i) => i);
    expect(hmacSha256Hex(key, '/path:1700000000')).toBe(createHmac('sha256', key).update('/path:1700000000').digest('hex'));
  });

  it('randomBytes gives the asked length and differs between calls', () => {
    const a = randomBytes(32);
    expect(a).toHaveLength(32);
    expect(constantTimeEqual(a, randomBytes(32))).toBe(false);
  });

  it('constantTimeEqual compares content and length', () => {
    expect(constantTimeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3))).toBe(true);
    expect(constantTimeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4))).toBe(false);
    expect(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 3))).toBe(false);
    expect(createSha256().update('x').digest()).toEqual(new Uint8Array(createHash('sha256').update('x').digest()));
  });
});

describe('base64', () => {
  it.each(SAMPLES)('round-trips %j like Buffer does', (text) => {
    const bytes = new TextEncoder().encode(text);
    expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
    expect(toBase64Url(text)).toBe(Buffer.from(text).toString('base64url'));
    expect(fromBase64(toBase64(bytes))).toEqual(bytes);
    expect(fromBase64(toBase64Url(bytes))).toEqual(bytes);
  });

  it('returns undefined for text that is not base64', () => {
    expect(fromBase64('not base64!')).toBeUndefined();
  });
});
