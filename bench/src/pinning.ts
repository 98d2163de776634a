import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { findExecutable } from './harness';

/** Which CPUs the registry side and the measured client run on, when pinned. */
export interface Pinning {
  /** The orchestrator, the registries it spawns and the token server. */
  readonly registryCpus: string;
  /** The worker, and any program it runs (skopeo). */
  readonly clientCpus: string;
  /** `taskset`, which starts the worker on {@link clientCpus}. */
  readonly taskset: string;
}

/**
 * Splits the machine's CPUs between the registry side and the client, the
 * way they would sit on separate machines: the client's CPU time then no
 * longer slows the registry it is waiting for, and a client that spends more
 * CPU per request shows it as its own latency rather than the registry's.
 * Undefined (nothing pinned) with fewer than 2 CPUs or without `taskset`.
 */
export function planPinning(): Pinning | undefined {
  const cpus = availableParallelism();
  const taskset = findExecutable('taskset');
  if (cpus < 2 || taskset === undefined) return undefined;
  const half = Math.floor(cpus / 2);
  const range = (from: number, to: number) => (from === to ? String(from) : `${from}-${to}`);
  return { registryCpus: range(0, half - 1), clientCpus: range(half, cpus - 1), taskset };
}

/**
 * Moves this process and all its threads to the registry CPUs; the registry
 * processes it spawns afterwards inherit them.
 */
export function pinOrchestrator(pinning: Pinning): void {
  execFileSync(pinning.taskset, ['--all-tasks', '--cpu-list', '--pid', pinning.registryCpus, String(process.pid)], {
    stdio: 'ignore',
  });
}

/**
 * `fork()` options that start the worker through `taskset`, so it runs on the
 * client CPUs from its first instruction (no thread starts elsewhere).
 */
export function workerLaunch(
  pinning: Pinning | undefined,
  execArgv: readonly string[],
): { execPath: string; execArgv: string[] } {
  if (pinning === undefined) return { execPath: process.execPath, execArgv: [...execArgv] };
  return { execPath: pinning.taskset, execArgv: ['--cpu-list', pinning.clientCpus, process.execPath, ...execArgv] };
}
