import { bytesToHex } from '@noble/hashes/utils.js';
import { createSha256 } from '../portable-crypto';

/** Options for {@link buildBlob}. */
export interface BuildBlobOptions {
  /** Changes the bytes (and so the digest) of blobs of the same size. Default `regkit`. */
  readonly seed?: string;
  /** The media type a manifest would give it. Default `application/octet-stream`. */
  readonly mediaType?: string;
}

/**
 * A blob whose bytes are computed from `(seed, offset)` on demand, so a test
 * can serve gigabytes without holding them: only the block being read is in
 * memory. Store it with `registry.putBlob(repository, blob)`.
 */
export interface BuiltBlob {
  /** Discriminant. */
  readonly kind: 'generated-blob';
  /** `sha256:` digest of the whole content. */
  readonly digest: string;
  /** Length in bytes. */
  readonly size: number;
  /** The media type given at build time. */
  readonly mediaType: string;
  /** The seed the bytes derive from. */
  readonly seed: string;
  /** Streams bytes `start` (inclusive) to `end` (exclusive), a 64 KiB block at a time. */
  stream(start?: number, end?: number): ReadableStream<Uint8Array>;
  /** Bytes `start` to `end` (exclusive) as one array; for small ranges and assertions. */
  read(start?: number, end?: number): Uint8Array;
}

const BLOCK = 64 * 1024;

function seedWord(seed: string): number {
  const hash = createSha256().update(`regkit-blob:${seed}`).digest();
  return new DataView(hash.buffer, hash.byteOffset, hash.byteLength).getUint32(0, true);
}

/**
 * One 64 KiB block: xorshift32 words seeded by the blob seed and the block
 * index. Any block can be made without the ones before it, which is what
 * Range reads need; xorshift is fast enough to fill hundreds of MB a second.
 */
function makeBlock(seed: number, index: number): Uint8Array {
  const words = new Uint32Array(BLOCK / 4);
  // Mix the index in so neighbouring blocks do not share a stream; never zero (xorshift's fixed point).
  let state = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0 || 0x6d2b79f5;
  for (let i = 0; i < words.length; i += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    words[i] = state;
  }
  return new Uint8Array(words.buffer);
}

function checkRange(size: number, start: number, end: number): void {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end > size || start > end) {
    throw new RangeError(`[@regkit/testing] blob range ${start}-${end} is outside 0-${size}`);
  }
}

/**
 * Builds a blob of `size` deterministic pseudo-random bytes without keeping
 * them: the digest is computed once, streaming, and bytes are regenerated
 * for each read (Range reads included). The same size and seed always give
 * the same bytes and digest.
 *
 * @example
 * ```ts
 * const big = buildBlob(256 * 1024 * 1024);
 * registry.putBlob('team/big', big); // 256 MiB served, never held in memory
 * big.read(0, 4); // the first four bytes, for assertions
 * ```
 */
export function buildBlob(size: number, options: BuildBlobOptions = {}): BuiltBlob {
  if (!Number.isSafeInteger(size) || size < 0)
    throw new RangeError(`[@regkit/testing] buildBlob size must be a non-negative integer, got ${size}`);
  const seedText = options.seed ?? 'regkit';
  const seed = seedWord(seedText);

  // Yields the bytes of [start, end) block by block.
  function* chunks(start: number, end: number): Generator<Uint8Array> {
    let offset = start;
    while (offset < end) {
      const index = Math.floor(offset / BLOCK);
      const blockStart = index * BLOCK;
      const from = offset - blockStart;
      const to = Math.min(BLOCK, end - blockStart);
      yield makeBlock(seed, index).subarray(from, to);
      offset = blockStart + to;
    }
  }

  const hash = createSha256();
  for (const chunk of chunks(0, size)) hash.update(chunk);

  return {
    kind: 'generated-blob',
    digest: `sha256:${bytesToHex(hash.digest())}`,
    size,
    mediaType: options.mediaType ?? 'application/octet-stream',
    seed: seedText,
    stream(start = 0, end = size) {
      checkRange(size, start, end);
      const iterator = chunks(start, end);
      return new ReadableStream<Uint8Array>(
        {
          pull(controller) {
            const next = iterator.next();
            if (next.done) controller.close();
            else controller.enqueue(next.value);
          },
        },
        { highWaterMark: 0 },
      );
    },
    read(start = 0, end = size) {
      checkRange(size, start, end);
      const out = new Uint8Array(end - start);
      let offset = 0;
      for (const chunk of chunks(start, end)) {
        out.set(chunk, offset);
        offset += chunk.length;
      }
      return out;
    },
  };
}

/** True for a {@link BuiltBlob} (as opposed to plain bytes). */
export function isBuiltBlob(value: unknown): value is BuiltBlob {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'generated-blob';
}
