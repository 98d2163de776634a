import { describe, expect, it } from 'vitest';
import { untilAborted } from './until-aborted';

describe('untilAborted', () => {
  it('passes the answer through without a signal or before an abort', async () => {
    await expect(untilAborted(Promise.resolve(1), undefined)).resolves.toBe(1);
    await expect(untilAborted(Promise.resolve(2), new AbortController().signal)).resolves.toBe(2);
    await expect(untilAborted(Promise.reject(new Error('no')), new AbortController().signal)).rejects.toThrow('no');
  });

  it("rejects with the signal's reason at once, whether it aborted before or during the wait", async () => {
    const never = new Promise<never>(() => {});
    await expect(untilAborted(never, AbortSignal.abort(new Error('before')))).rejects.toThrow('before');
    const controller = new AbortController();
    const waiting = untilAborted(never, controller.signal);
    controller.abort(new Error('during'));
    await expect(waiting).rejects.toThrow('during');
  });
});
