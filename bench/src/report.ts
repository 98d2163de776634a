import type { BenchMode, ClientId, JobOutcome, RequestCount, SocketReport, TaskId } from './jobs';
import { TASK_TITLES } from './jobs';

/** One measured row: a client on a task in one mode. */
export interface ResultRow {
  readonly mode: BenchMode;
  readonly task: TaskId;
  readonly client: ClientId;
  readonly status: JobOutcome['status'];
  readonly detail?: string;
  readonly notes: readonly string[];
  /** Timed iterations, all rounds together (`samplesMs.length`). */
  readonly iterations: number;
  /** Rounds (separate workers, interleaved with the other clients) the iterations were split over. */
  readonly rounds: number;
  /** Every timed iteration, ms, in round order. */
  readonly samplesMs: readonly number[];
  readonly medianMs?: number;
  readonly minMs?: number;
  readonly maxMs?: number;
  /** Median time divided by raw undici's median time for the same task and mode. */
  readonly ratioToRaw?: number;
  /** Requests of the first round's untimed counting run; a round that counted differently is named in `notes`. */
  readonly requests?: RequestCount;
  readonly minimumRequests: number;
  /** T4: bytes per second over the median, MiB/s. */
  readonly throughputMiBs?: number;
  /** T4: throughput as a fraction of raw undici's. */
  readonly throughputVsRaw?: number;
  /** Largest peak RSS of the rounds' workers, MiB. */
  readonly peakRssMiB?: number;
  /** Smallest baseline RSS of the rounds' workers, MiB. */
  readonly baselineRssMiB?: number;
  /** Client CPU time per timed iteration, ms (all rounds' CPU / all samples). */
  readonly cpuMsPerIteration?: number;
  /** CPU per iteration divided by raw undici's. */
  readonly cpuRatioToRaw?: number;
  /** T5: `before` from the first round, the largest `peak`, `after` from the last round. */
  readonly sockets?: SocketReport;
  /**
   * The machine's 1-minute load average when the measurement started (2 cores:
   * above 2 means queueing); with rounds, the mean over the rounds' starts.
   */
  readonly load1: number;
}

/** A target from the brief, checked for one regkit row. */
export interface TargetCheck {
  readonly client: ClientId;
  readonly mode: BenchMode;
  readonly task: TaskId;
  readonly target: string;
  readonly value: string;
  readonly met: boolean;
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Fills the ratio and throughput columns once every row of a task and mode is in. */
export function withComparisons(rows: readonly ResultRow[], blobBytes: number): ResultRow[] {
  return rows.map((row) => {
    if (row.medianMs === undefined) return row;
    const raw = rows.find((other) => other.mode === row.mode && other.task === row.task && other.client === 'raw-undici');
    const rawMedian = raw?.medianMs;
    const extra: Partial<ResultRow> = {};
    if (rawMedian !== undefined) Object.assign(extra, { ratioToRaw: round(row.medianMs / rawMedian, 3) });
    if (raw?.cpuMsPerIteration && row.cpuMsPerIteration !== undefined) {
      Object.assign(extra, { cpuRatioToRaw: round(row.cpuMsPerIteration / raw.cpuMsPerIteration, 3) });
    }
    if (row.task === 'T4') {
      Object.assign(extra, { throughputMiBs: round(blobBytes / 1024 / 1024 / (row.medianMs / 1000), 1) });
      if (rawMedian !== undefined) Object.assign(extra, { throughputVsRaw: round(rawMedian / row.medianMs, 3) });
    }
    return { ...row, ...extra };
  });
}

/** The brief's targets for every regkit row. */
export function checkTargets(rows: readonly ResultRow[], concurrency: number): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const row of rows) {
    if (!row.client.startsWith('regkit-')) continue;
    const base = { client: row.client, mode: row.mode, task: row.task };
    if (row.status !== 'ok') {
      checks.push({ ...base, target: 'runs', value: `${row.status}: ${row.detail ?? ''}`, met: false });
      continue;
    }
    if (row.requests !== undefined) {
      checks.push({
        ...base,
        target: `requests = protocol minimum (${row.minimumRequests})`,
        value: String(row.requests.total),
        met: row.requests.total === row.minimumRequests,
      });
    }
    if ((row.task === 'T3' || row.task === 'T5') && row.ratioToRaw !== undefined) {
      checks.push({ ...base, target: 'time ≤ 1.25× raw undici', value: `${row.ratioToRaw}×`, met: row.ratioToRaw <= 1.25 });
    }
    if (row.task === 'T5' && row.sockets !== undefined) {
      // Not ≤ concurrency: undici answers a request at its headers and frees the
      // connection only at the end of the response, so the next request may
      // open another one; raw undici itself holds up to 2 × concurrency. What
      // must not happen is growth with the request count.
      checks.push({
        ...base,
        target: `established connections ≤ 2 × concurrency (${2 * concurrency})`,
        value: `peak ${row.sockets.peak}`,
        met: row.sockets.peak <= 2 * concurrency,
      });
    }
    if ((row.task === 'T3' || row.task === 'T5') && row.requests !== undefined) {
      // Keep-alive: connections are opened once, not per request.
      checks.push({
        ...base,
        target: `connections opened ≤ 2 × concurrency (${2 * concurrency})`,
        value: String(row.requests.connections),
        met: row.requests.connections <= 2 * concurrency,
      });
    }
    if (row.task === 'T4') {
      if (row.throughputVsRaw !== undefined) {
        checks.push({
          ...base,
          target: 'throughput ≥ 90% of raw undici',
          value: `${Math.round(row.throughputVsRaw * 100)}%`,
          met: row.throughputVsRaw >= 0.9,
        });
      }
      if (row.peakRssMiB !== undefined) {
        checks.push({ ...base, target: 'peak RSS < 150 MiB', value: `${row.peakRssMiB} MiB`, met: row.peakRssMiB < 150 });
      }
    }
  }
  return checks;
}

function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '—';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

/** The result table as text: one block per mode and task. */
export function formatTable(rows: readonly ResultRow[]): string {
  const header = ['client', 'median', '× raw', 'CPU/iter', '× raw', 'requests (reg+tok)', 'conns', 'extra'];
  const lines: string[] = [];
  const groups = new Map<string, ResultRow[]>();
  for (const row of rows) {
    const key = `${row.mode} ${row.task}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  for (const [key, group] of groups) {
    const [mode, task] = key.split(' ') as [BenchMode, TaskId];
    lines.push('', `${task} ${TASK_TITLES[task]} — ${mode} registry (protocol minimum: ${group[0]?.minimumRequests} requests)`);
    const table = group.map((row) => {
      if (row.status !== 'ok') {
        return [row.client, row.status, '', '', '', '', '', (row.detail ?? '').slice(0, 90)];
      }
      const requests = row.requests
        ? `${row.requests.total} (${row.requests.registry}+${row.requests.token})${row.requests.nonHttp ? ` +${row.requests.nonHttp} TLS` : ''}`
        : '—';
      const extra: string[] = [];
      if (row.task === 'T4') {
        extra.push(`${row.throughputMiBs} MiB/s`);
        if (row.throughputVsRaw !== undefined) extra.push(`${Math.round(row.throughputVsRaw * 100)}% of raw`);
        extra.push(`peak RSS ${row.peakRssMiB} MiB`);
      }
      if (row.sockets) extra.push(`established ${row.sockets.before}→peak ${row.sockets.peak}→${row.sockets.after}`);
      return [
        row.client,
        formatMs(row.medianMs),
        row.ratioToRaw === undefined ? '—' : `${row.ratioToRaw.toFixed(2)}×`,
        formatMs(row.cpuMsPerIteration),
        row.cpuRatioToRaw === undefined ? '—' : `${row.cpuRatioToRaw.toFixed(2)}×`,
        requests,
        row.requests ? String(row.requests.connections) : '—',
        extra.join(', '),
      ];
    });
    const widths = header.map((title, i) => Math.max(title.length, ...table.map((cells) => (cells[i] ?? '').length)));
    const numeric = (i: number) => i > 0 && i < header.length - 1;
    lines.push(header.map((title, i) => pad(title, widths[i] as number, numeric(i))).join('  '));
    for (const cells of table)
      lines.push(
        cells
          .map((cell, i) => pad(cell, widths[i] as number, numeric(i)))
          .join('  ')
          .trimEnd(),
      );
  }
  return lines.join('\n');
}

/** The target checks as text. */
export function formatTargets(checks: readonly TargetCheck[]): string {
  if (checks.length === 0) return '';
  const lines = ['', 'regkit targets:'];
  for (const check of checks) {
    lines.push(
      `  ${check.met ? 'met ' : 'MISS'}  ${check.mode.padEnd(5)} ${check.task} ${check.client.padEnd(13)} ${check.target}: ${check.value}`,
    );
  }
  return lines.join('\n');
}
