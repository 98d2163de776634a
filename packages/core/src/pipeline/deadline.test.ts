import { describe, expect, it } from 'vitest';
import { TimeoutError } from '../errors';
import { startDeadline } from './deadline';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('startDeadline', () => {
  it('starts the timer at once for a request without a stream body', async () => {
    const deadline = startDeadline(undefined, 20, new Uint8Array(3));
    await wait(40);
    expect(deadline.signal.aborted).toBe(true);
    expect(TimeoutError.isInstance(deadline.signal.reason)).toBe(true);
  });

  it('starts the timer only when a stream body has been sent to its end', async () => {
    let pieces = 3;
    const body = new ReadableStream<Uint8Array>({
      pull: (c) => (pieces-- > 0 ? c.enqueue(new Uint8Array(1)) : c.close()),
    });
    const deadline = startDeadline(undefined, 20, body);
    expect(deadline.body).not.toBe(body);
    const reader = (deadline.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    // A slow upload: longer than the timeout while the body is still being sent.
    await wait(40);
    expect(deadline.signal.aborted).toBe(false);
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read());
    await wait(40);
    expect(deadline.signal.aborted).toBe(true);
    deadline.clear();
  });

  it('never starts once cleared', async () => {
    const deadline = startDeadline(undefined, 10, new ReadableStream<Uint8Array>({ start: (c) => c.close() }));
    deadline.clear();
    await (deadline.body as ReadableStream<Uint8Array>).getReader().read();
    await wait(30);
    expect(deadline.signal.aborted).toBe(false);
  });
});
