import { describe, expect, it } from 'vitest';
import { NetworkError } from '../errors/network-errors';
import { assertUnusedBody, guardRequestBody, requestBodyChunks } from './request-body';

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

describe('guardRequestBody', () => {
  it('passes bytes as they are, and a stream’s chunks unchanged', async () => {
    const bytes = new Uint8Array([1]);
    expect(guardRequestBody(bytes).body).toBe(bytes);
    const source = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new Uint8Array([1, 2]));
        c.enqueue(new Uint8Array([3]));
        c.close();
      },
    });
    const { body } = guardRequestBody(source);
    expect(source.locked).toBe(true);
    expect(new Uint8Array(await new Response(body as ReadableStream).arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('cancels the caller’s stream when the signal aborts mid-read, and errors the library’s read', async () => {
    let cancelled: unknown;
    const source = new ReadableStream<Uint8Array>(
      {
        pull: () => new Promise<void>(() => undefined), // a producer that has nothing yet
        cancel(reason) {
          cancelled = reason;
        },
      },
      { highWaterMark: 0 },
    );
    const controller = new AbortController();
    const reader = (guardRequestBody(source, controller.signal).body as ReadableStream<Uint8Array>).getReader();
    const read = reader.read();
    const reason = new Error('aborted');
    controller.abort(reason);
    await expect(read).rejects.toBe(reason);
    expect(cancelled).toBe(reason);
  });

  it('leaves an ended stream alone on release', async () => {
    let cancels = 0;
    const source = new ReadableStream<Uint8Array>({
      start(c) {
        c.close();
      },
      cancel() {
        cancels++;
      },
    });
    const guarded = guardRequestBody(source);
    await new Response(guarded.body as ReadableStream).arrayBuffer();
    guarded.release(new Error('late'));
    expect(cancels).toBe(0);
  });
});
