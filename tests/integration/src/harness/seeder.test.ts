import { describe, expect, it } from 'vitest';
import { runLimited } from './seeder';

describe('runLimited', () => {
  it('runs every job with at most `limit` in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const done: number[] = [];
    const jobs = Array.from({ length: 20 }, (_, i) => async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight--;
      done.push(i);
    });
    await runLimited(jobs, 4);
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(peak).toBe(4);
  });

  it('rejects with the first failure and starts no new jobs after it', async () => {
    let started = 0;
    const jobs = Array.from({ length: 10 }, (_, i) => async () => {
      started++;
      if (i === 1) throw new Error('boom');
      await new Promise((resolve) => setTimeout(resolve, 5));
    });
    await expect(runLimited(jobs, 2)).rejects.toThrow('boom');
    expect(started).toBeLessThan(10);
  });

  it('handles no jobs', async () => {
    await expect(runLimited([], 8)).resolves.toBeUndefined();
  });
});
