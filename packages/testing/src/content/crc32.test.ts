import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32';

describe('crc32', () => {
  it('gives the check value of "123456789"', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('agrees with node:zlib on empty, short and long inputs', () => {
    for (const length of [0, 1, 3, 255, 4096, 100_003]) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 131 + length) % 256);
      expect(crc32(bytes)).toBe(zlibCrc32(bytes) >>> 0);
    }
  });
});
