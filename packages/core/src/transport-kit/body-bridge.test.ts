import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { TimeoutError } from '../errors/transport-errors';
import { bridgeBody, bridgeNodeStream, bridgeWebStream, bytesToStream, discardBody, toBytes } from './body-bridge';

async function readAll(stream: ReadableStream<Uint8Array>): Promise<number[]> {
  const out: number[] = [];
  for (let reader = stream.getReader(), next = await reader.read(); !next.done; next = await reader.read())
    out.push(...next.value);
  return out;
}

describe('bridgeNodeStream', () => {
  it('hands over chunks as plain Uint8Array views and ends with the source', async () => {
    const stream = bridgeNodeStream(Readable.from([Buffer.from([1, 2]), 'A']));
    const reader = stream.getReader();
    const first = await reader.read();
    expect(first.value?.constructor).toBe(Uint8Array);
    expect([...(first.value ?? [])]).toEqual([1, 2]);
    expect([...((await reader.read()).value ?? [])]).toEqual([65]);
    expect((await reader.read()).done).toBe(true);
  });

  it('maps a source error, and destroys the source on cancel', async () => {
    const failing = new Readable({
      read() {
        this.destroy(Object.assign(new Error('reset'), { code: 'ECONNRESET' }));
      },
    });
    const error = await readAll(bridgeNodeStream(failing, { mapError: (e) => ({ mapped: e }) })).catch((e) => e);
    expect(error).toMatchObject({ mapped: { code: 'ECONNRESET' } });
    const endless = new Readable({
      read() {
        this.push(Buffer.alloc(16));
      },
    });
    const reader = bridgeNodeStream(endless).getReader();
    await reader.read();
    await reader.cancel();
    expect(endless.destroyed).toBe(true);
    expect(endless.readableAborted, 'an incomplete source is not read on').toBe(true);
  });

  it('reads out a cancelled source that has fully arrived (complete), so its connection can be reused', async () => {
    const arrived = Object.assign(Readable.from([Buffer.from('{"errors":'), Buffer.from('[]}')]), { complete: true });
    let ended = false;
    arrived.on('end', () => {
      ended = true;
    });
    const reader = bridgeNodeStream(arrived).getReader();
    await reader.cancel();
    expect(ended, 'the source was read to its end').toBe(true);
    expect(arrived.readableAborted).toBe(false);
  });

  it('errors with TimeoutError when no chunk comes within idleTimeoutMs, and destroys the source', async () => {
    const silent = new Readable({ read() {} });
    silent.push(Buffer.from([9]));
    const reader = bridgeNodeStream(silent, { idleTimeoutMs: 60 }).getReader();
    await reader.read();
    const error = await reader.read().catch((e) => e);
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ phase: 'body', timeoutMs: 60 });
    expect(silent.destroyed).toBe(true);
  });

  it('errors with signal.reason on abort, even if the source then ends quietly', async () => {
    const controller = new AbortController();
    const silent = new Readable({ read() {} });
    const reader = bridgeNodeStream(silent, { signal: controller.signal }).getReader();
    const pending = reader.read();
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(silent.destroyed).toBe(true);
  });
});

describe('bridgeWebStream', () => {
  it('passes chunks without reading ahead, and cancel through', async () => {
    let pulls = 0;
    let cancelled: unknown;
    const source = new ReadableStream<Uint8Array>(
      {
        pull(c) {
          pulls++;
          c.enqueue(new Uint8Array(4));
        },
        cancel(reason) {
          cancelled = reason;
        },
      },
      { highWaterMark: 0 },
    );
    const reader = bridgeWebStream(source).getReader();
    await reader.read();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(pulls).toBeLessThanOrEqual(2);
    await reader.cancel('done');
    expect(cancelled).toBe('done');
  });

  it('cancels a stalled source with the timeout error', async () => {
    let cancelled: unknown;
    const source = new ReadableStream<Uint8Array>({
      cancel(reason) {
        cancelled = reason;
      },
    });
    const error = await readAll(bridgeWebStream(source, { idleTimeoutMs: 30 })).catch((e) => e);
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect(cancelled).toBe(error);
  });

  it('turns bytes and strings into Uint8Array views', async () => {
    expect(await readAll(bytesToStream(new Uint8Array([1, 2, 3])))).toEqual([1, 2, 3]);
    expect(await readAll(bytesToStream(new Uint8Array(0)))).toEqual([]);
    expect(toBytes('hi')).toEqual(new Uint8Array([104, 105]));
    expect(toBytes(new Uint8Array([1, 2, 3]).buffer)).toEqual(new Uint8Array([1, 2, 3]));
    expect(() => toBytes(42)).toThrow(TypeError);
  });
});

describe('bridgeBody and discardBody', () => {
  it('bridge Node streams, web streams and bytes alike, and release what nobody reads', async () => {
    expect(await readAll(bridgeBody(Readable.from([Buffer.from([1])])))).toEqual([1]);
    expect(await readAll(bridgeBody(bytesToStream(new Uint8Array([2]))))).toEqual([2]);
    expect(await readAll(bridgeBody('A'))).toEqual([65]);
    expect(() => bridgeBody({})).toThrow(TypeError);
    const node = Readable.from([Buffer.alloc(4)]);
    discardBody(node);
    await new Promise((resolve) => node.once('end', resolve));
    let cancelled = false;
    discardBody(
      new ReadableStream({
        cancel() {
          cancelled = true;
        },
      }),
    );
    expect(cancelled).toBe(true);
    expect(() => discardBody(null)).not.toThrow();
  });
});
