import { afterEach, describe, expect, it, vi } from 'vitest';
import { StallTimer } from './stall-timer';

/** Starts a wait and checks that it is reported exactly when it reaches 1000 ms (fake timers). */
function expectStallAfterOneSecond(timer: StallTimer, stalls: number[]): void {
  const before = stalls.length;
  timer.start();
  vi.advanceTimersByTime(999);
  expect(stalls).toHaveLength(before);
  vi.advanceTimersByTime(1);
  expect(stalls.slice(before)).toEqual([1000]);
}

describe('StallTimer', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });

  it('reports a wait that lasts the limit, with the time waited', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const stalls: number[] = [];
    expectStallAfterOneSecond(new StallTimer(1000, (waited) => stalls.push(waited)), stalls);
  });

  it('counts only the time spent waiting: a long pause between chunks is no stall', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const stalls: number[] = [];
    const timer = new StallTimer(1000, (waited) => stalls.push(waited));
    for (let chunk = 0; chunk < 5; chunk++) {
      timer.start();
      vi.advanceTimersByTime(900);
      timer.stop();
    }
    vi.advanceTimersByTime(10_000); // the consumer is busy elsewhere
    expect(stalls).toEqual([]);
    expectStallAfterOneSecond(timer, stalls);
  });

  it('reuses one platform timer for a whole body, un-referenced between waits so it never holds a process open', () => {
    const created: ReturnType<typeof setTimeout>[] = [];
    const real = globalThis.setTimeout;
    vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms: number) => {
      const handle = real(fn, ms);
      created.push(handle);
      return handle;
    }) as typeof setTimeout);
    const timer = new StallTimer(60_000, () => undefined);
    for (let chunk = 0; chunk < 100; chunk++) {
      timer.start();
      expect(created[0]?.hasRef()).toBe(true);
      timer.stop();
      expect(created[0]?.hasRef()).toBe(false);
    }
    expect(created).toHaveLength(1);
    timer.dispose();
  });

  it('falls back to a timer per wait where timers are plain numbers (browsers, Deno)', () => {
    const real = globalThis.setTimeout;
    let created = 0;
    vi.stubGlobal('setTimeout', (fn: () => void, ms: number) => {
      created++;
      return Number(real(fn, ms));
    });
    const stalls: number[] = [];
    const timer = new StallTimer(20, (waited) => stalls.push(waited));
    for (let chunk = 0; chunk < 3; chunk++) {
      timer.start();
      timer.stop();
    }
    expect(created).toBe(3);
    return new Promise<void>((resolve) => {
      real(() => {
        expect(stalls).toEqual([]);
        resolve();
      }, 60);
    });
  });

  it('does nothing once disposed, and nothing at all with a limit of 0', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const stalls: number[] = [];
    const timer = new StallTimer(1000, (waited) => stalls.push(waited));
    timer.start();
    timer.dispose();
    const off = new StallTimer(0, (waited) => stalls.push(waited));
    off.start();
    vi.advanceTimersByTime(5000);
    expect(stalls).toEqual([]);
  });
});
