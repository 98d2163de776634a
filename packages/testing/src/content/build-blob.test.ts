import { describe, expect, it } from 'vitest';
import { createFakeRegistry } from '../fake-registry';
import { send } from '../test-support';
import { buildBlob } from './build-blob';
import { sha256Digest } from './digest';

// toEqual walks typed arrays element by element: far too slow for blobs.
function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<{ bytes: Uint8Array; largest: number }> {
  const chunks: Uint8Array[] = [];
  const reader = stream.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) chunks.push(next.value);
  const bytes = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return { bytes, largest: Math.max(0, ...chunks.map((chunk) => chunk.length)) };
}

describe('buildBlob', () => {
  it('is deterministic per size and seed, and its digest is the hash of its bytes', () => {
    const blob = buildBlob(200_000);
    expect(buildBlob(200_000).digest).toBe(blob.digest);
    expect(buildBlob(200_000, { seed: 'other' }).digest).not.toBe(blob.digest);
    expect(same(buildBlob(200_001).read(0, 200_000), blob.read())).toBe(true);
    expect(sha256Digest(blob.read())).toBe(blob.digest);
    expect(buildBlob(0).digest).toBe(sha256Digest(new Uint8Array(0)));
  });

  it('streams any range in blocks of at most 64 KiB, agreeing with read()', async () => {
    const blob = buildBlob(300_000);
    const whole = blob.read();
    const { bytes, largest } = await collect(blob.stream());
    expect(same(bytes, whole)).toBe(true);
    expect(largest).toBeLessThanOrEqual(64 * 1024);
    expect(same((await collect(blob.stream(65_530, 131_080))).bytes, whole.subarray(65_530, 131_080))).toBe(true);
    expect(() => blob.stream(0, 300_001)).toThrow(RangeError);
    expect(() => buildBlob(-1)).toThrow(/non-negative integer/);
  });

  it('is served by the registry, Range included, without being stored as bytes', async () => {
    const registry = createFakeRegistry({ fixtures: false });
    const blob = buildBlob(5 * 1024 * 1024, { seed: 'served' });
    expect(registry.putBlob('team/big', blob)).toBe(blob.digest);
    expect(registry.hasBlob('team/big', blob.digest)).toBe(true);
    const response = await send(registry, `/v2/team/big/blobs/${blob.digest}`);
    expect(response.headers.get('content-length')).toBe(String(blob.size));
    expect(sha256Digest(new Uint8Array(await response.arrayBuffer()))).toBe(blob.digest);
    const range = await send(registry, `/v2/team/big/blobs/${blob.digest}`, { headers: { range: 'bytes=-5' } });
    expect(range.status).toBe(206);
    expect(range.headers.get('content-range')).toBe(`bytes ${blob.size - 5}-${blob.size - 1}/${blob.size}`);
    expect(new Uint8Array(await range.arrayBuffer())).toEqual(blob.read(blob.size - 5));
  });
});
