import { readFile, writeFile } from 'node:fs/promises';

/** `VmRSS` or `VmHWM` (peak RSS) of a Linux process, in bytes. */
async function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  if (match?.[1] === undefined) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/** One process's memory over a stretch of work. */
export interface PeakGrowth {
  readonly pid: number;
  /** RSS at the baseline, in bytes. */
  readonly before: number;
  /** The most RSS since the baseline, in bytes. */
  readonly peak: number;
}

/**
 * Peak RSS growth of other processes: `baseline()` resets each one's
 * high-water mark (`clear_refs` 5) and reads its RSS; `peaks()` reads the
 * high-water mark since then. No sampling, so no peak is missed.
 */
export class PeakRss {
  #befores: number[] | undefined;

  constructor(readonly pids: readonly number[]) {}

  async baseline(): Promise<void> {
    for (const pid of this.pids) await writeFile(`/proc/${pid}/clear_refs`, '5');
    this.#befores = await Promise.all(this.pids.map((pid) => statusField(pid, 'VmRSS')));
  }

  async peaks(): Promise<PeakGrowth[]> {
    const befores = this.#befores;
    if (befores === undefined) throw new Error('peaks() before baseline()');
    const peaks = await Promise.all(this.pids.map((pid) => statusField(pid, 'VmHWM')));
    return this.pids.map((pid, i) => ({ pid, before: befores[i] ?? 0, peak: peaks[i] ?? 0 }));
  }
}
