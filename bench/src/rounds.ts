/**
 * Interleaved rounds. On a shared machine the load drifts over minutes, so on
 * the short tasks whichever client ran during a busier minute lost. A job's
 * timed iterations are therefore split into rounds; in each round every
 * client of the (mode, task) runs once, in its own worker, in an order that
 * rotates from round to round, so drift hits every client alike. Each
 * client's rounds are then merged into one result row.
 */
import type { JobOutcome, RequestCount, SocketReport } from './jobs';

/**
 * Splits `total` iterations over at most `rounds` rounds as evenly as
 * possible, the larger shares first (10 over 3 → 4, 3, 3). Never a round
 * with no iterations: fewer rounds when `total < rounds`.
 */
export function splitIterations(total: number, rounds: number): number[] {
  const count = Math.max(1, Math.min(rounds, total));
  const share = Math.floor(total / count);
  const extra = total % count;
  return Array.from({ length: count }, (_, round) => share + (round < extra ? 1 : 0));
}

/** The order of round `round` (0-based): starts at index `round mod n` and wraps. */
export function rotate<T>(items: readonly T[], round: number): T[] {
  if (items.length === 0) return [];
  const start = round % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}

/** What one worker reported for one round, and what the orchestrator saw around it. */
export interface RoundResult {
  readonly outcome: JobOutcome;
  /** Requests of the round's untimed counting run. */
  readonly requests?: RequestCount;
  /** The 1-minute load average when the round's worker started. */
  readonly load1: number;
}

/** A client's rounds as one measurement. */
export interface MergedRounds {
  readonly outcome: JobOutcome;
  readonly requests?: RequestCount;
  /** Mean of the rounds' load1, 2 decimals. */
  readonly load1: number;
  /** Rounds (workers) that went into it. */
  readonly rounds: number;
}

const round2 = (value: number) => Math.round(value * 100) / 100;

function describeCount(count: RequestCount): string {
  const nonHttp = count.nonHttp > 0 ? `, ${count.nonHttp} non-HTTP` : '';
  return `${count.total} requests (${count.registry} + ${count.token} token), ${count.connections} connections${nonHttp}`;
}

function sameCount(a: RequestCount, b: RequestCount): boolean {
  return a.registry === b.registry && a.token === b.token && a.connections === b.connections && a.nonHttp === b.nonHttp;
}

/** Notes of every round, each once, in first-seen order, then `extra`. */
function mergeNotes(results: readonly RoundResult[], extra: readonly string[]): string[] {
  return [...new Set([...results.flatMap((result) => result.outcome.notes), ...extra])];
}

/**
 * Merges one client's rounds: samples concatenated in round order; CPU per
 * iteration weighted by each round's sample count (total CPU / total
 * samples); peak RSS the largest, baseline RSS the smallest; sockets `before`
 * from the first round, `peak` the largest, `after` from the last. Request
 * counts come from the first round's counting run; a later round that counted
 * differently is named in `notes` (the counts must not change silently). A
 * round that failed fails the row, its detail naming the round (of
 * `plannedRounds`); one that was unsupported makes the row unsupported.
 *
 * `notes` are added after the workers' own notes (e.g. an iteration cap).
 */
export function mergeRounds(
  results: readonly RoundResult[],
  { plannedRounds, notes = [] }: { readonly plannedRounds: number; readonly notes?: readonly string[] },
): MergedRounds {
  const first = results[0];
  if (first === undefined) throw new Error('mergeRounds: no rounds');
  const load1 = round2(results.reduce((sum, result) => sum + result.load1, 0) / results.length);
  const rounds = results.length;
  const base = { load1, rounds };

  const failed = results.findIndex((result) => result.outcome.status !== 'ok');
  const bad = results[failed];
  if (bad !== undefined) {
    const where = bad.outcome.status === 'failed' && plannedRounds > 1 ? `round ${failed + 1} of ${plannedRounds}: ` : '';
    const detail = bad.outcome.detail === undefined ? undefined : `${where}${bad.outcome.detail}`;
    return {
      ...base,
      outcome: {
        status: bad.outcome.status,
        ...(detail !== undefined && { detail }),
        samplesMs: [],
        notes: mergeNotes(results, notes),
      },
    };
  }

  const extra = [...notes];
  const requests = first.requests;
  if (requests !== undefined) {
    results.forEach((result, index) => {
      if (index === 0) return;
      if (result.requests === undefined) {
        extra.push(`round ${index + 1} has no request count; the row keeps round 1's (${describeCount(requests)})`);
      } else if (!sameCount(result.requests, requests)) {
        extra.push(
          `round ${index + 1} counted ${describeCount(result.requests)}; the row keeps round 1's (${describeCount(requests)})`,
        );
      }
    });
  }

  const samplesMs = results.flatMap((result) => result.outcome.samplesMs);
  let cpuMs = 0;
  let cpuSamples = 0;
  for (const { outcome } of results) {
    if (outcome.cpuMsPerIteration === undefined) continue;
    cpuMs += outcome.cpuMsPerIteration * outcome.samplesMs.length;
    cpuSamples += outcome.samplesMs.length;
  }
  const defined = (values: readonly (number | undefined)[]) => values.filter((value) => value !== undefined);
  const peaks = defined(results.map((result) => result.outcome.peakRssMiB));
  const baselines = defined(results.map((result) => result.outcome.baselineRssMiB));
  const socketReports = results.map((result) => result.outcome.sockets).filter((report) => report !== undefined);
  const firstSockets = socketReports[0];
  const lastSockets = socketReports[socketReports.length - 1];
  const sockets: SocketReport | undefined =
    firstSockets === undefined || lastSockets === undefined
      ? undefined
      : {
          before: firstSockets.before,
          peak: Math.max(...socketReports.map((report) => report.peak)),
          after: lastSockets.after,
        };

  return {
    ...base,
    ...(requests !== undefined && { requests }),
    outcome: {
      status: 'ok',
      samplesMs,
      notes: mergeNotes(results, extra),
      ...(peaks.length > 0 && { peakRssMiB: Math.max(...peaks) }),
      ...(baselines.length > 0 && { baselineRssMiB: Math.min(...baselines) }),
      ...(cpuSamples > 0 && { cpuMsPerIteration: Math.round((cpuMs / cpuSamples) * 10) / 10 }),
      ...(sockets !== undefined && { sockets }),
    },
  };
}
