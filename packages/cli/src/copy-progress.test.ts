import type { CopyProgress } from '@regkit/core';
import { describe, expect, it } from 'vitest';
import { copyProgressListener } from './copy-progress';
import type { Progress } from './progress';

/** A Progress that records what would be drawn: each task's label, updates and whether it finished. */
function recording(bars: boolean) {
  const tasks: { label: string; total: number | undefined; updates: number[]; finished: boolean }[] = [];
  const progress: Progress = {
    bars,
    start(label, total) {
      const task = { label, total, updates: [] as number[], finished: false };
      tasks.push(task);
      return {
        update: (done) => task.updates.push(done),
        finish: () => {
          task.finished = true;
        },
      };
    },
    stop() {},
  };
  return { progress, tasks };
}

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const C = `sha256:${'c'.repeat(64)}`;
// Three blobs: A (100 bytes) sent in two steps, B (50) already there, C (30) sent in one.
const REPORTS: CopyProgress[] = [
  { bytesDone: 50, bytesTotal: 180, blobsDone: 0, blobsTotal: 3, blob: { digest: A, size: 100, done: 50 } },
  { bytesDone: 100, bytesTotal: 180, blobsDone: 1, blobsTotal: 3, blob: { digest: B, size: 50, done: 50, outcome: 'skipped' } },
  { bytesDone: 150, bytesTotal: 180, blobsDone: 1, blobsTotal: 3, blob: { digest: A, size: 100, done: 100 } },
  {
    bytesDone: 150,
    bytesTotal: 180,
    blobsDone: 2,
    blobsTotal: 3,
    blob: { digest: A, size: 100, done: 100, outcome: 'uploaded' },
  },
  { bytesDone: 180, bytesTotal: 180, blobsDone: 3, blobsTotal: 3, blob: { digest: C, size: 30, done: 30, outcome: 'uploaded' } },
];

describe('copyProgressListener', () => {
  it('draws a bar per blob sent and a total, all labels one width', () => {
    const { progress, tasks } = recording(true);
    const listener = copyProgressListener(progress);
    for (const report of REPORTS) listener.onProgress(report);
    listener.finish();
    expect(tasks.map((task) => task.label.trimEnd())).toEqual(['total, 3 blobs', A.slice(0, 19), C.slice(0, 19)]);
    expect(new Set(tasks.map((task) => task.label.length))).toEqual(new Set([19]));
    const [total, a, c] = tasks;
    expect(total).toMatchObject({ total: 180, updates: [50, 100, 150, 150, 180], finished: true });
    expect(a).toMatchObject({ total: 100, updates: [50, 100, 100], finished: true });
    expect(c).toMatchObject({ total: 30, updates: [30], finished: true });
  });

  it('keeps plain lines to the total', () => {
    const { progress, tasks } = recording(false);
    const listener = copyProgressListener(progress);
    for (const report of REPORTS) listener.onProgress(report);
    listener.finish();
    expect(tasks.map((task) => task.label)).toEqual(['total, 3 blobs']);
  });
});
