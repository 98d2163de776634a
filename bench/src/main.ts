/**
 * The benchmark orchestrator: starts distribution 2.8 on loopback in open and
 * token mode, seeds both, then forks one worker per (mode, task, round,
 * client) in turn, never two at once, and collects timings, request counts,
 * peak RSS and connection counts into a table and a JSON file, one row per
 * (mode, task, client) with its rounds merged.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CountingProxy, startCountingProxy } from './counting-proxy';
import { machineInfo } from './environment';
import { findTool, type RunningRegistry, startRegistry } from './harness';
import {
  type BenchMode,
  type ClientId,
  type Job,
  type JobOutcome,
  MAX_ITERATIONS,
  type OrchestratorMessage,
  type RequestCount,
  type SocketReport,
  type TaskId,
  type WorkerMessage,
  type Workload,
} from './jobs';
import { type BenchOptions, parseOptions, USAGE } from './options';
import { type Pinning, pinOrchestrator, planPinning, workerLaunch } from './pinning';
import { checkTargets, formatTable, formatTargets, median, type ResultRow, withComparisons } from './report';
import { mergeRounds, type RoundResult, rotate, splitIterations } from './rounds';
import { seedBenchRegistry } from './seed';
import { establishedConnectionsTo, startSocketSampler } from './sockets';
import { minimumRequests } from './tasks';

interface Stand {
  readonly mode: BenchMode;
  readonly registry: RunningRegistry;
  readonly proxy: CountingProxy;
  readonly workload: Workload;
  /** Times the registry had to be restarted because it had stopped answering. */
  restarts: number;
}

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));
const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function startStand(mode: BenchMode, options: BenchOptions): Promise<Stand> {
  const registry = await startRegistry({ mode, logLevel: 'error' });
  try {
    const started = performance.now();
    const workload = await seedBenchRegistry(registry, { tags: options.tags, blobBytes: options.blobBytes });
    log(`seeded ${mode} registry ${registry.host} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const proxy = await startCountingProxy(registry.port);
    return { mode, registry, proxy, workload, restarts: 0 };
  } catch (error) {
    await registry.stop();
    throw error;
  }
}

/** What Ctrl-C must stop: the registries and the worker of the moment. */
const live: { stands: Stand[]; child: ChildProcess | undefined; stopping: boolean; pinning: Pinning | undefined } = {
  stands: [],
  child: undefined,
  stopping: false,
  pinning: undefined,
};

function stopOnSignal(signal: NodeJS.Signals): void {
  process.once(signal, () => {
    log(`\n${signal}: stopping the worker and the registries`);
    live.stopping = true;
    live.child?.kill('SIGKILL');
    void Promise.allSettled(live.stands.map((stand) => stand.registry.stop())).then(() => process.exit(130));
  });
}

/** True when the registry answers `/v2/` (200 open, 401 token). */
async function isAlive(stand: Stand): Promise<boolean> {
  try {
    const response = await fetch(`${stand.registry.origin}/v2/`, { signal: AbortSignal.timeout(5_000) });
    await response.body?.cancel();
    return response.status === 200 || response.status === 401;
  } catch {
    return false;
  }
}

/**
 * Restarts a registry that stopped answering (on a shared machine something
 * else may kill it); its storage survives, so the seed does too.
 */
async function ensureAlive(stand: Stand): Promise<void> {
  if (await isAlive(stand)) return;
  log(`  ${stand.mode} registry ${stand.registry.host} stopped answering: restarting it`);
  stand.restarts++;
  await stand.registry.restart();
}

/** Runs one job in a fresh worker; counts its requests during the worker's untimed first run. */
async function runJob(job: Job, stand: Stand, options: BenchOptions): Promise<{ outcome: JobOutcome; requests?: RequestCount }> {
  const timeoutMs = options.jobTimeoutMs;
  const execArgv = options.cpuProfileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`];
  const child: ChildProcess = fork(WORKER, [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    ...workerLaunch(live.pinning, execArgv),
  });
  live.child = child;
  const tokenRequests = () => stand.registry.tokenServer?.tokenRequests.length ?? 0;
  let requests: RequestCount | undefined;
  let outcome: JobOutcome | undefined;
  let sockets: SocketReport | undefined;
  const registryPort = Number(new URL(job.origin).port);
  const timer = setTimeout(() => {
    log(`  ${job.mode} ${job.task} ${job.client}: no result after ${timeoutMs / 1000} s, stopping worker ${child.pid}`);
    child.kill('SIGKILL');
  }, timeoutMs);
  try {
    await new Promise<void>((resolve) => {
      let tokensBefore = 0;
      let socketsBefore = 0;
      let sampler: ReturnType<typeof startSocketSampler> | undefined;
      child.on('message', async (message: WorkerMessage) => {
        if (message.type === 'counted') {
          const { requests: registry, connections, nonHttp } = stand.proxy.counts();
          const token = tokenRequests() - tokensBefore;
          requests = { registry, token, connections, nonHttp, total: registry + token };
          if (job.task === 'T5' && child.pid !== undefined) {
            socketsBefore = (await establishedConnectionsTo(registryPort, child.pid)) ?? 0;
            sampler = startSocketSampler(registryPort, child.pid);
          }
          child.send({ type: 'continue' } satisfies OrchestratorMessage);
        } else if (message.type === 'timed') {
          if (sampler && child.pid !== undefined) {
            const peak = await sampler.stop();
            sockets = { before: socketsBefore, peak, after: (await establishedConnectionsTo(registryPort, child.pid)) ?? 0 };
          }
          child.send({ type: 'sampled' } satisfies OrchestratorMessage);
        } else if (message.type === 'done') {
          outcome = message.outcome;
        }
      });
      child.once('exit', () => resolve());
      child.once('error', () => resolve());
      stand.proxy.reset();
      tokensBefore = tokenRequests();
      child.send({ type: 'job', job } satisfies OrchestratorMessage);
    });
  } finally {
    clearTimeout(timer);
    live.child = undefined;
  }
  return {
    outcome: outcome
      ? { ...outcome, ...(sockets !== undefined && { sockets }) }
      : {
          status: 'failed',
          detail: `worker exited without a result (code ${child.exitCode}, signal ${child.signalCode})`,
          samplesMs: [],
          notes: [],
        },
    ...(requests !== undefined && { requests }),
  };
}

function describe(row: ResultRow): string {
  if (row.status !== 'ok') return `${row.status}: ${row.detail ?? ''}`;
  const rounds = row.rounds > 1 ? ` in ${row.rounds} rounds` : '';
  const parts = [
    `load ${row.load1}`,
    `median ${row.medianMs?.toFixed(1)} ms over ${row.samplesMs.length}${rounds}, CPU ${row.cpuMsPerIteration} ms/iter`,
  ];
  if (row.requests)
    parts.push(`${row.requests.total} requests (minimum ${row.minimumRequests}), ${row.requests.connections} connections`);
  if (row.task === 'T4') parts.push(`peak RSS ${row.peakRssMiB} MiB`);
  if (row.sockets) parts.push(`sockets peak ${row.sockets.peak}`);
  return parts.join(', ');
}

/** One round of one client, for the log. */
function describeRound(result: RoundResult): string {
  const { outcome } = result;
  if (outcome.status !== 'ok') return `${outcome.status}: ${(outcome.detail ?? '').slice(0, 200)}`;
  const cpu = outcome.cpuMsPerIteration === undefined ? '' : `, CPU ${outcome.cpuMsPerIteration.toFixed(1)} ms/iter`;
  return `load ${result.load1}, median ${median(outcome.samplesMs)?.toFixed(1)} ms over ${outcome.samplesMs.length}${cpu}`;
}

/** A client's timed iterations on a task: capped for slow clients, split into rounds. */
interface ClientPlan {
  readonly client: ClientId;
  /** Iterations per round; its length is the client's number of rounds. */
  readonly shares: readonly number[];
  /** Orchestrator notes for the row (an iteration cap). */
  readonly notes: readonly string[];
}

function planClient(client: ClientId, task: TaskId, options: BenchOptions): ClientPlan {
  const wanted = options.iterations[task];
  const total = Math.min(wanted, MAX_ITERATIONS[client]?.[task] ?? wanted);
  return {
    client,
    shares: splitIterations(total, options.rounds[task]),
    notes: total < wanted ? [`${total} timed iteration(s) instead of ${wanted} (slow)`] : [],
  };
}

/**
 * Measures every client on one task in one mode, in rounds: each round runs
 * every client that still has iterations once, in its own worker, starting
 * at client index `round mod n` (see `rounds.ts`). A client that failed or
 * cannot do the task sits out the later rounds. Pushes one row per client,
 * in client order.
 */
async function measureTask(stand: Stand, task: TaskId, options: BenchOptions, rows: ResultRow[]): Promise<'done' | 'stopped'> {
  const plans = options.clients.map((client) => planClient(client, task, options));
  const roundCount = Math.max(...plans.map((plan) => plan.shares.length));
  const results = new Map<ClientId, RoundResult[]>(plans.map((plan) => [plan.client, []]));
  for (let round = 0; round < roundCount; round++) {
    const order = rotate(plans, round).filter(
      (plan) => round < plan.shares.length && (results.get(plan.client) ?? []).every((result) => result.outcome.status === 'ok'),
    );
    if (roundCount > 1)
      log(`  ${stand.mode} ${task} round ${round + 1}/${roundCount}: ${order.map((plan) => plan.client).join(', ')}`);
    for (const plan of order) {
      if (live.stopping) return 'stopped';
      const job: Job = {
        task,
        client: plan.client,
        mode: stand.mode,
        origin: stand.registry.origin,
        countOrigin: stand.proxy.origin,
        workload: stand.workload,
        sizes: options.sizes,
        iterations: plan.shares[round] as number,
        warmup: options.warmup[task],
      };
      const load1 = Math.round((loadavg()[0] ?? 0) * 100) / 100;
      await ensureAlive(stand);
      let { outcome, requests } = await runJob(job, stand, options);
      if (!live.stopping && !(await isAlive(stand))) {
        // The registry died under the measurement: its failure says nothing about the client.
        const which = roundCount > 1 ? ` round ${round + 1}` : '';
        log(`  ${stand.mode} ${task} ${plan.client}${which}: the registry died during the measurement; measuring again`);
        await ensureAlive(stand);
        ({ outcome, requests } = await runJob(job, stand, options));
      }
      const result: RoundResult = { outcome, ...(requests !== undefined && { requests }), load1 };
      results.get(plan.client)?.push(result);
      if (roundCount > 1) log(`    ${plan.client.padEnd(22)} ${describeRound(result)}`);
    }
  }
  for (const plan of plans) {
    const merged = mergeRounds(results.get(plan.client) ?? [], { plannedRounds: plan.shares.length, notes: plan.notes });
    const { outcome, requests } = merged;
    const job = { task, mode: stand.mode, sizes: options.sizes };
    const row: ResultRow = {
      mode: stand.mode,
      task,
      client: plan.client,
      status: outcome.status,
      ...(outcome.detail !== undefined && { detail: outcome.detail }),
      notes: outcome.notes,
      iterations: outcome.samplesMs.length,
      rounds: merged.rounds,
      samplesMs: outcome.samplesMs.map((ms) => Math.round(ms * 1000) / 1000),
      ...(outcome.samplesMs.length > 0 && {
        medianMs: median(outcome.samplesMs) as number,
        minMs: Math.min(...outcome.samplesMs),
        maxMs: Math.max(...outcome.samplesMs),
      }),
      ...(outcome.status === 'ok' && requests !== undefined && { requests }),
      minimumRequests: minimumRequests(job),
      ...(outcome.peakRssMiB !== undefined && { peakRssMiB: outcome.peakRssMiB }),
      ...(outcome.baselineRssMiB !== undefined && { baselineRssMiB: outcome.baselineRssMiB }),
      ...(outcome.cpuMsPerIteration !== undefined && { cpuMsPerIteration: outcome.cpuMsPerIteration }),
      ...(outcome.sockets !== undefined && { sockets: outcome.sockets }),
      load1: merged.load1,
    };
    rows.push(row);
    log(`  ${stand.mode.padEnd(5)} ${task} ${plan.client.padEnd(22)} ${describe(row)}`);
  }
  return 'done';
}

async function main(): Promise<number> {
  let options: BenchOptions | undefined;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    log(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options === undefined) {
    log(USAGE);
    return 0;
  }
  if (findTool('docker-registry') === undefined) {
    log('docker-registry is not installed: apt-get install docker-registry (see tests/integration/README.md)');
    return 1;
  }

  const startedAt = new Date();
  const machine = machineInfo();
  log(
    `regkit bench${options.smoke ? ' (smoke)' : ''}: ${machine.cores} cores, load ${machine.loadStart.join(' ')}, node ${machine.node}`,
  );

  const pinning = options.pin ? planPinning() : undefined;
  if (pinning) {
    pinOrchestrator(pinning);
    live.pinning = pinning;
    log(`pinned: registry, token server and orchestrator on CPU ${pinning.registryCpus}, client on CPU ${pinning.clientCpus}`);
  }

  stopOnSignal('SIGINT');
  stopOnSignal('SIGTERM');
  const stands = await Promise.all(options.modes.map((mode) => startStand(mode, options)));
  live.stands = stands;
  const rows: ResultRow[] = [];
  try {
    for (const stand of stands) {
      for (const task of options.tasks) {
        if ((await measureTask(stand, task, options, rows)) === 'stopped') return 130;
      }
    }
  } finally {
    await Promise.all(
      stands.map(async (stand) => {
        await stand.proxy.close();
        await stand.registry.stop();
      }),
    );
  }

  machine.loadEnd = loadavg().map((value) => Math.round(value * 100) / 100);
  const compared = withComparisons(rows, options.blobBytes);
  const targets = checkTargets(compared, options.sizes.concurrency);
  process.stdout.write(`${formatTable(compared)}\n${formatTargets(targets)}\n`);
  process.stdout.write(
    `\nload average ${machine.loadStart.join(' ')} at start, ${machine.loadEnd.join(' ')} at end (${machine.cores} cores)\n`,
  );

  const report = {
    schema: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    smoke: options.smoke,
    machine,
    options: {
      tasks: options.tasks,
      clients: options.clients,
      modes: options.modes,
      iterations: options.iterations,
      rounds: options.rounds,
      warmup: options.warmup,
      tags: options.tags,
      blobBytes: options.blobBytes,
      ...options.sizes,
      pinning: live.pinning === undefined ? null : { registry: live.pinning.registryCpus, client: live.pinning.clientCpus },
    },
    workload: stands[0]?.workload,
    registryRestarts: Object.fromEntries(stands.map((stand) => [stand.mode, stand.restarts])),
    results: compared,
    targets,
  };
  const stamp = startedAt.toISOString().replace(/:/g, '-').replace(/\..*$/, '');
  const out = options.out ?? `${RESULTS_DIR}${options.smoke ? 'smoke-' : ''}${stamp}.json`;
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
  log(`\nwrote ${out}`);

  const failed = rows.filter((row) => row.status === 'failed');
  // A regkit or raw-undici failure means the benchmark is broken; a peer's failure is a result.
  const broken = failed.filter((row) => row.client.startsWith('regkit-') || row.client === 'raw-undici');
  if (broken.length > 0) {
    log(`${broken.length} regkit/raw-undici measurement(s) failed`);
    return 1;
  }
  return 0;
}

process.exitCode = await main();
