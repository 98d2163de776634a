import type { CopyProgress } from '@regkit/core';
import type { Progress, ProgressTask } from './progress';

/** The width of a short digest, `sha256:` and 12 hex digits, so every bar starts in the same column. */
const LABEL_WIDTH = 19;

/**
 * Turns `copyImage` progress reports into bars: on a terminal one per blob
 * that is sent, plus a total over every blob (those mounted or already
 * there count as done at once); as plain lines, the total only.
 */
export function copyProgressListener(progress: Progress): { onProgress(report: CopyProgress): void; finish(): void } {
  let total: ProgressTask | undefined;
  const blobs = new Map<string, ProgressTask>();
  return {
    onProgress(report) {
      const label = `total, ${report.blobsTotal} blobs`;
      total ??= progress.start(progress.bars ? label.padEnd(LABEL_WIDTH) : label, report.bytesTotal);
      if (progress.bars) {
        const { digest, size, done, outcome } = report.blob;
        // Mounted and skipped blobs move no bytes: the total shows them, a bar of their own would be noise.
        if (outcome === undefined || outcome === 'uploaded') {
          let task = blobs.get(digest);
          if (task === undefined) {
            task = progress.start(digest.slice(0, LABEL_WIDTH), size);
            blobs.set(digest, task);
          }
          task.update(done, size);
          if (outcome !== undefined) task.finish();
        }
      }
      total.update(report.bytesDone, report.bytesTotal);
    },
    finish() {
      total?.finish();
    },
  };
}
