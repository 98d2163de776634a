import { createCipheriv, createHash } from 'node:crypto';

/**
 * Deterministic pseudo-random bytes, `chunkBytes` at a time: the AES-128-CTR
 * keystream of a fixed key. Incompressible, identical on every run, and
 * produced without ever holding more than one chunk.
 */
export function* deterministicChunks(totalBytes: number, chunkBytes: number): Generator<Buffer> {
  const key = createHash('sha256').update('regkit-bench-blob').digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(chunkBytes);
  for (let offset = 0; offset < totalBytes; offset += chunkBytes) {
    const length = Math.min(chunkBytes, totalBytes - offset);
    yield cipher.update(length === chunkBytes ? zeros : zeros.subarray(0, length));
  }
}
