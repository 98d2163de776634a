import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DigestAlgorithm } from './digest';
import { createHasher, createPortableHasher, type Hasher } from './hasher';

const ALGORITHMS: readonly DigestAlgorithm[] = ['sha256', 'sha384', 'sha512'];

function nodeDigest(algorithm: DigestAlgorithm, bytes: Uint8Array): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** Splits `bytes` at the given cut points (any order, out of range ones clamped). */
function chunked(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => Math.min(cut, bytes.length)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  return chunks;
}

async function hashChunks(hasher: Hasher, chunks: readonly Uint8Array[]): Promise<string> {
  for (const chunk of chunks) hasher.update(chunk);
  return hasher.digest();
}

/**
 * Loads a fresh copy of the module with `process.getBuiltinModule` replaced,
 * as it is missing in browsers and workers; the lookup runs at import time.
 */
const originalGetBuiltinModule = process.getBuiltinModule;

/**
 * A fresh copy of the hasher module on a runtime whose `process.getBuiltinModule` is `getBuiltinModule`.
 * The stand-in stays until the test ends: the module looks `node:crypto` up on its first hash, not at import.
 */
async function importWithBuiltins(getBuiltinModule: ((id: string) => unknown) | undefined): Promise<typeof import('./hasher')> {
  vi.resetModules();
  Object.defineProperty(process, 'getBuiltinModule', { value: getBuiltinModule, configurable: true, writable: true });
  return import('./hasher');
}

afterEach(() => {
  Object.defineProperty(process, 'getBuiltinModule', { value: originalGetBuiltinModule, configurable: true, writable: true });
  vi.resetModules();
});

describe('createPortableHasher', () => {
  it.each([
    ['sha256', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    [
      'sha512',
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    ],
  ] as const)('hashes "abc" with %s to the FIPS 180-2 test vector', async (algorithm, hex) => {
    expect(await hashChunks(createPortableHasher(algorithm), [new TextEncoder().encode('abc')])).toBe(`${algorithm}:${hex}`);
  });

  it('agrees with node:crypto for any bytes cut into any chunks', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ALGORITHMS),
        fc.uint8Array({ maxLength: 4096 }),
        fc.array(fc.nat({ max: 4096 }), { maxLength: 12 }),
        async (algorithm, bytes, cuts) => {
          expect(await hashChunks(createPortableHasher(algorithm), chunked(bytes, cuts))).toBe(nodeDigest(algorithm, bytes));
        },
      ),
      { numRuns: 200 },
    );
  });

  it.each(ALGORITHMS)('%s: consumes each chunk at once instead of keeping it until digest()', async (algorithm) => {
    // A hasher that kept its chunks (memory growing with the blob) would
    // hash the overwritten bytes here and disagree.
    const original = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7) % 256);
    const chunk = original.slice();
    const hasher = createPortableHasher(algorithm);
    hasher.update(chunk);
    chunk.fill(0);
    expect(await hasher.digest()).toBe(nodeDigest(algorithm, original));
  });
});

describe('createHasher', () => {
  it('looks node:crypto up on the first hash, not at import (start-up of programs that never hash)', async () => {
    const lookup = vi.fn((id: string) => (id === 'node:crypto' ? { createHash } : undefined));
    const { createHasher: create } = await importWithBuiltins(lookup);
    expect(lookup).not.toHaveBeenCalled();
    create('sha256');
    create('sha256');
    expect(lookup).toHaveBeenCalledTimes(1);
  });

  it('uses node:crypto when process.getBuiltinModule provides it', async () => {
    const createHashSpy = vi.fn((algorithm: string) => createHash(algorithm));
    const { createHasher: create } = await importWithBuiltins((id) =>
      id === 'node:crypto' ? { createHash: createHashSpy } : undefined,
    );
    const bytes = new TextEncoder().encode('regkit');
    expect(await hashChunks(create('sha512'), [bytes])).toBe(nodeDigest('sha512', bytes));
    expect(createHashSpy).toHaveBeenCalledWith('sha512');
  });

  it.each([
    ['is missing (browsers, workers)', undefined],
    [
      'throws',
      () => {
        throw new Error('no builtins here');
      },
    ],
    ['returns no createHash', () => ({})],
  ] as const)('streams at constant memory when process.getBuiltinModule %s', async (_, lookup) => {
    const { createHasher: create } = await importWithBuiltins(lookup);
    const original = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 13) % 256);
    const hasher = create('sha256');
    for (let start = 0; start < original.length; start += 65_536) {
      const chunk = original.slice(start, start + 65_536);
      hasher.update(chunk);
      chunk.fill(0xff);
    }
    expect(await hasher.digest()).toBe(nodeDigest('sha256', original));
  });

  it.each(ALGORITHMS)('%s on this runtime matches node:crypto', async (algorithm) => {
    const bytes = Uint8Array.from({ length: 10_000 }, (_, i) => i % 256);
    expect(await hashChunks(createHasher(algorithm), chunked(bytes, [1, 64, 4000]))).toBe(nodeDigest(algorithm, bytes));
  });
});
