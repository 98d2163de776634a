import { parseArgs } from 'node:util';
import { type BenchMode, CLIENT_IDS, type ClientId, MODES, TASK_IDS, type TaskId, type TaskSizes } from './jobs';

/** Everything a run is configured by. */
export interface BenchOptions {
  readonly smoke: boolean;
  readonly tasks: readonly TaskId[];
  readonly clients: readonly ClientId[];
  readonly modes: readonly BenchMode[];
  /** Timed iterations per task (per client, over all rounds). */
  readonly iterations: Readonly<Record<TaskId, number>>;
  /**
   * Rounds per task: a client's iterations are split over this many workers,
   * interleaved with the other clients' in a rotating order (see `rounds.ts`).
   */
  readonly rounds: Readonly<Record<TaskId, number>>;
  /** Untimed iterations each worker runs before its timed ones, per task. */
  readonly warmup: Readonly<Record<TaskId, number>>;
  readonly tags: number;
  readonly blobBytes: number;
  readonly sizes: TaskSizes;
  /** Where the JSON goes; undefined for the default `results/<date>.json`. */
  readonly out: string | undefined;
  /** Per-measurement time limit, ms. */
  readonly jobTimeoutMs: number;
  /** Directory for a V8 CPU profile of every worker (`node --cpu-prof`), if asked for. */
  readonly cpuProfileDir: string | undefined;
  /** Run the registry side and the client on separate CPUs (see `pinning.ts`). */
  readonly pin: boolean;
}

const FULL_ITERATIONS: Record<TaskId, number> = { T1: 30, T2: 10, T3: 5, T4: 5, T5: 3 };
const SMOKE_ITERATIONS: Record<TaskId, number> = { T1: 1, T2: 1, T3: 1, T4: 1, T5: 1 };
// Rounds only where load drift decides the ranking: T1 and T2 take milliseconds
// per iteration, so a busy minute lands on one client; T3–T5 take seconds to
// minutes, and each extra round costs another worker and counting run.
const FULL_ROUNDS: Record<TaskId, number> = { T1: 3, T2: 3, T3: 1, T4: 1, T5: 1 };
const SMOKE_ROUNDS: Record<TaskId, number> = { T1: 1, T2: 1, T3: 1, T4: 1, T5: 1 };
// A worker is a fresh process: its first iterations run unoptimized code. The
// counting run warms T3–T5 up (hundreds of requests, or a 256 MiB stream); on
// T1 and T2 it is a single call, and a round of a few iterations would be
// mostly cold ones, which cost clients with more JavaScript on the path the
// most. Measured on token T1/T2 (2026-11-28), 30 iterations in 3 rounds: with
// no warm-up, regkit took 1.15–1.65× raw undici's time on T1, and raw undici
// and regkit 31–35 ms CPU per T2 iteration (snyk 15, docker-registry-client
// 11); after 30 untimed iterations, T2 matched one worker warmed for 60 (raw
// undici 14.2 ms, 6 ms CPU) and regkit was 1.1–1.2× raw on T1.
const FULL_WARMUP: Record<TaskId, number> = { T1: 30, T2: 30, T3: 0, T4: 0, T5: 0 };
const SMOKE_WARMUP: Record<TaskId, number> = { T1: 0, T2: 0, T3: 0, T4: 0, T5: 0 };

export const USAGE = `Usage: pnpm bench [options]

Starts distribution 2.8 on loopback (open and token mode), seeds it, and
measures regkit (fetch, undici, axios transports), raw undici, the JS peers
and skopeo on five tasks. Prints a table and writes JSON to
bench/results/<date>.json.

  --smoke              every task once at tiny sizes, token mode only
                       (CI check, < 60 s)
  --tasks T1,T3        subset of T1..T5 (default all)
  --clients a,b        subset of ${CLIENT_IDS.join(', ')}
  --modes open,token   subset of registry modes (default both)
  --iterations N       timed iterations per client for every task, all
                       rounds together (default T1 30, T2 10, T3 5, T4 5,
                       T5 3; skopeo is capped lower)
  --rounds N           split every task's iterations into N rounds: each
                       round runs every client once, in a rotating order,
                       so load drift on a shared machine hits all alike
                       (default T1 3, T2 3, T3-T5 1; smoke 1)
  --warmup N           untimed iterations in every worker before the timed
                       ones, fresh session each, not measured
                       (default T1 30, T2 30, T3-T5 0; smoke 0)
  --tags N             tags in the big repository (default 5000)
  --blob-mib N         size of the T4 blob in MiB (default 256)
  --resolve N          T3 resolutions (default 1000)
  --heads N            T5 HEADs (default 10000)
  --concurrency N      T3/T5 requests in flight (default 8)
  --out FILE           JSON output path
  --cpu-prof DIR       write a V8 CPU profile of every worker to DIR
                       (open in Chrome DevTools or speedscope)
  --no-pin             let the registry and the client share every CPU
                       (default: registry side on the first half of the
                       CPUs, client on the second, with taskset)
  --help`;

function list<T extends string>(value: string | undefined, allowed: readonly T[], what: string): readonly T[] {
  if (value === undefined) return allowed;
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  for (const item of items) {
    if (!allowed.includes(item as T)) throw new Error(`unknown ${what} "${item}" (known: ${allowed.join(', ')})`);
  }
  return allowed.filter((item) => items.includes(item));
}

function positive(value: string | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 1) throw new Error(`${what} must be a positive integer, got "${value}"`);
  return number;
}

function nonNegative(value: string, what: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 0) throw new Error(`${what} must be a whole number, got "${value}"`);
  return number;
}

/** A per-task setting: the one value given on the command line for every task, else the defaults. */
function perTask(given: number | undefined, defaults: Readonly<Record<TaskId, number>>): Record<TaskId, number> {
  return Object.fromEntries(TASK_IDS.map((task) => [task, given ?? defaults[task]])) as Record<TaskId, number>;
}

/** Parses the command line; throws with a message for bad input, returns undefined for --help. */
export function parseOptions(argv: readonly string[]): BenchOptions | undefined {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      smoke: { type: 'boolean', default: false },
      tasks: { type: 'string' },
      clients: { type: 'string' },
      modes: { type: 'string' },
      iterations: { type: 'string' },
      rounds: { type: 'string' },
      warmup: { type: 'string' },
      tags: { type: 'string' },
      'blob-mib': { type: 'string' },
      resolve: { type: 'string' },
      heads: { type: 'string' },
      concurrency: { type: 'string' },
      out: { type: 'string' },
      'cpu-prof': { type: 'string' },
      'no-pin': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return undefined;
  const smoke = values.smoke === true;
  const iterations = perTask(
    values.iterations === undefined ? undefined : positive(values.iterations, 1, '--iterations'),
    smoke ? SMOKE_ITERATIONS : FULL_ITERATIONS,
  );
  const rounds = perTask(
    values.rounds === undefined ? undefined : positive(values.rounds, 1, '--rounds'),
    smoke ? SMOKE_ROUNDS : FULL_ROUNDS,
  );
  const warmup = perTask(
    values.warmup === undefined ? undefined : nonNegative(values.warmup, '--warmup'),
    smoke ? SMOKE_WARMUP : FULL_WARMUP,
  );
  return {
    smoke,
    tasks: list(values.tasks, TASK_IDS, 'task'),
    clients: list(values.clients, CLIENT_IDS, 'client'),
    // The smoke run keeps to token mode (the one with auth) to stay under a minute on 2 cores.
    modes: values.modes === undefined && smoke ? ['token'] : list(values.modes, MODES, 'mode'),
    iterations,
    rounds,
    warmup,
    tags: positive(values.tags, smoke ? 40 : 5000, '--tags'),
    blobBytes: positive(values['blob-mib'], smoke ? 4 : 256, '--blob-mib') * 1024 * 1024,
    sizes: {
      resolveCount: positive(values.resolve, smoke ? 20 : 1000, '--resolve'),
      headCount: positive(values.heads, smoke ? 50 : 10_000, '--heads'),
      concurrency: positive(values.concurrency, 8, '--concurrency'),
    },
    out: values.out,
    jobTimeoutMs: smoke ? 60_000 : 15 * 60_000,
    cpuProfileDir: values['cpu-prof'],
    pin: values['no-pin'] !== true,
  };
}
