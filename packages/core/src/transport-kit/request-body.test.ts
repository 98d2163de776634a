import { describe, expect, it } from 'vitest';
import { NetworkError } from '../errors/network-errors';
import { assertUnusedBody, requestBodyChunks } from './request-body';

async function collect(iterable: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const chunk of iterable) out.push(chunk);
  return out;
}

describe('requestBodyChunks', () => {
  it('slices bytes into bounded views without copying', async () => {
    const bytes = new Uint8Array(10).map((_, i) => i);
    const chunks = await collect(requestBodyChunks(bytes, { chunkBytes: 4 }));
    expect(chunks.map((c) => c.length)).toEqual([4, 4, 2]);
    expect(chunks[1]?.buffer).toBe(bytes.buffer);
  });

  it('reads a web stream once, lazily, splitting long chunks', async () => {
    let pulls = 0;
    const stream = new ReadableStream<Uint8Array>(
      {
        pull(c) {
          pulls++;
          if (pulls > 2) c.close();
          else c.enqueue(new Uint8Array(10));
        },
      },
      { highWaterMark: 0 },
    );
    const iterable = requestBodyChunks(stream, { chunkBytes: 6 });
    expect(stream.locked).toBe(true);
    expect(pulls).toBe(0);
    expect((await collect(iterable)).map((c) => c.length)).toEqual([6, 4, 6, 4]);
    expect(stream.locked).toBe(false);
  });

  it('cancels the stream when the consumer stops early', async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull: (c) => c.enqueue(new Uint8Array(8)),
      cancel: () => {
        cancelled = true;
      },
    });
    for await (const _ of requestBodyChunks(stream)) break;
    expect(cancelled).toBe(true);
  });

  it('refuses a chunk size that is not a positive integer', () => {
    expect(() => requestBodyChunks(new Uint8Array(1), { chunkBytes: 0 })).toThrow(RangeError);
  });
});

describe('assertUnusedBody', () => {
  it('refuses a locked stream with a NetworkError that is not retryable', () => {
    const stream = new ReadableStream<Uint8Array>();
    assertUnusedBody(stream, '@regkit/test');
    stream.getReader();
    let thrown: unknown;
    try {
      assertUnusedBody(stream, '@regkit/test');
    } catch (error) {
      thrown = error;
    }
    expect(NetworkError.isInstance(thrown)).toBe(true);
    expect(thrown).toMatchObject({ code: 'ERR_BODY_USED', retryable: false });
    expect(() => assertUnusedBody(new Uint8Array(1), '@regkit/test')).not.toThrow();
  });
});
