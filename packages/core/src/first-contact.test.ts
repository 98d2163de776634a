import { describe, expect, it } from 'vitest';
import { FirstContactGate, scopeKey } from './first-contact';

const never = new AbortController().signal;

describe('FirstContactGate', () => {
  it('lets the first request in and holds the rest until it is released', async () => {
    const gate = new FirstContactGate();
    const first = await gate.enter('repository:app:pull', never);
    expect(first).toBeDefined();
    let secondIn = false;
    const second = gate.enter('repository:app:pull', never).then((contact) => {
      secondIn = true;
      return contact;
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(secondIn).toBe(false);
    first?.release(true);
    expect(await second).toBeUndefined();
    expect(await gate.enter('repository:app:pull', never)).toBeUndefined();
  });

  it('does not hold requests for other scopes', async () => {
    const gate = new FirstContactGate();
    const app = await gate.enter('repository:app:pull', never);
    const other = await gate.enter('repository:other:pull', never);
    expect(app).toBeDefined();
    expect(other).toBeDefined();
  });

  it('hands the first place to one waiter when the first request failed before an answer', async () => {
    const gate = new FirstContactGate();
    const first = await gate.enter('k', never);
    const settled: Array<'claimed' | 'free'> = [];
    const waiters = [gate.enter('k', never), gate.enter('k', never)].map((waiter) =>
      waiter.then((contact) => {
        settled.push(contact ? 'claimed' : 'free');
        return contact;
      }),
    );
    first?.release(false);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(settled).toEqual(['claimed']);
    const claimed = await Promise.race(waiters);
    claimed?.release(true);
    await Promise.all(waiters);
    expect(settled).toEqual(['claimed', 'free']);
  });

  it('lets only the first release count', async () => {
    const gate = new FirstContactGate();
    const first = await gate.enter('k', never);
    first?.release(true);
    first?.release(false);
    expect(await gate.enter('k', never)).toBeUndefined();
  });

  it('stops waiting when the waiter is aborted', async () => {
    const gate = new FirstContactGate();
    await gate.enter('k', never);
    const controller = new AbortController();
    const waiting = gate.enter('k', controller.signal);
    controller.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
  });
});

describe('scopeKey', () => {
  it('ignores scope order', () => {
    expect(scopeKey(['b', 'a'])).toBe(scopeKey(['a', 'b']));
    expect(scopeKey([])).toBe('');
  });
});
