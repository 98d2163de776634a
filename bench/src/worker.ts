/**
 * One measurement (one round of one client on one task) in its own process,
 * so peak RSS and open sockets are the client's own. Forked by the
 * orchestrator with an IPC channel:
 *
 * 1. receives the job;
 * 2. runs the task once against the counting proxy (untimed; on T3–T5, with
 *    hundreds of requests, it is also the warm-up), then tells the
 *    orchestrator, which reads the counters;
 * 3. runs `job.warmup` untimed iterations against the registry (so a short
 *    round is not mostly iterations the JIT has not optimized yet), then the
 *    timed iterations with tinybench, a fresh client session (connections,
 *    tokens) for each;
 * 4. tells the orchestrator the timing is over (it watches the worker's
 *    connections during T5 from outside, so that costs the worker nothing),
 *    then reports samples and peak RSS. The orchestrator merges a client's
 *    rounds into one result row (`rounds.ts`).
 */
import { Bench } from 'tinybench';
import type { BenchClient, ClientSession, SessionTarget } from './clients/client';
import type { ClientId, Job, JobOutcome, OrchestratorMessage, WorkerMessage } from './jobs';
import { peakRssKiB } from './memory';
import { performTask } from './tasks';

async function loadClient(id: ClientId): Promise<BenchClient> {
  switch (id) {
    case 'raw-undici':
      return (await import('./clients/raw-undici')).rawUndiciClient;
    case 'regkit-fetch':
      return (await import('./clients/regkit')).regkitClient('fetch');
    case 'regkit-undici':
      return (await import('./clients/regkit')).regkitClient('undici');
    case 'regkit-axios':
      return (await import('./clients/regkit')).regkitClient('axios');
    case 'snyk':
      return (await import('./clients/snyk')).snykClient;
    case 'docker-registry-client':
      return (await import('./clients/docker-registry-client')).dockerRegistryClient;
    case 'skopeo':
      return (await import('./clients/skopeo')).skopeoClient();
  }
}

function send(message: WorkerMessage): void {
  process.send?.(message);
}

function nextMessage<T extends OrchestratorMessage['type']>(type: T): Promise<Extract<OrchestratorMessage, { type: T }>> {
  return new Promise((resolve) => {
    const listener = (message: OrchestratorMessage) => {
      if (message.type !== type) return;
      process.off('message', listener);
      resolve(message as Extract<OrchestratorMessage, { type: T }>);
    };
    process.on('message', listener);
  });
}

function targetOf(origin: string, job: Job): SessionTarget {
  return { origin, host: new URL(origin).host, mode: job.mode };
}

const kibToMiB = (kib: number) => Math.round((kib / 1024) * 10) / 10;

async function run(job: Job): Promise<JobOutcome> {
  const client = await loadClient(job.client);
  // After loading the client's libraries, before any request.
  const baselineRssMiB = kibToMiB(peakRssKiB());
  const notes = client.notes[job.task] ? [client.notes[job.task] as string] : [];
  const unsupported = client.unsupported[job.task];
  if (unsupported !== undefined) return { status: 'unsupported', detail: unsupported, samplesMs: [], notes };

  // Untimed counting run through the proxy.
  const counting = await client.open(targetOf(job.countOrigin, job));
  try {
    await performTask(counting, job.task, job.workload, job.sizes);
  } finally {
    await counting.close();
  }
  send({ type: 'counted' });
  await nextMessage('continue');

  const target = targetOf(job.origin, job);
  // Already capped for slow clients (MAX_ITERATIONS) and split into rounds by the orchestrator.
  const iterations = job.iterations;
  // Outside the CPU measurement; after the counting run, so the token server's count is already read.
  for (let i = 0; i < job.warmup; i++) {
    const session = await client.open(target);
    try {
      await performTask(session, job.task, job.workload, job.sizes);
    } finally {
      await session.close();
    }
  }

  let session: ClientSession | undefined;
  const bench = new Bench({ iterations, time: 0, warmup: false, retainSamples: true, throws: true });
  bench.add(
    job.task,
    async () => {
      await performTask(session as ClientSession, job.task, job.workload, job.sizes);
    },
    {
      beforeEach: async () => {
        session = await client.open(target);
      },
      afterEach: async () => {
        await session?.close();
        session = undefined;
      },
    },
  );
  const cpuBefore = process.cpuUsage();
  const childCpuBefore = client.childCpuMs?.() ?? 0;
  await bench.run();
  const cpu = process.cpuUsage(cpuBefore);
  // Client CPU per iteration: robust to machine load where wall time is not (the registry shares the cores).
  const cpuMs = (cpu.user + cpu.system) / 1000 + ((client.childCpuMs?.() ?? 0) - childCpuBefore);

  send({ type: 'timed' });
  await nextMessage('sampled');
  const result = bench.tasks[0]?.result;
  if (result?.state !== 'completed') throw new Error(`tinybench task ended in state ${String(result?.state)}`);
  const samplesMs = [...(result.latency.samples ?? [])];
  const childPeak = client.childPeakRssKiB?.();
  if (childPeak !== undefined)
    notes.push('peak RSS is the largest skopeo process and CPU includes every skopeo process (GNU time)');
  return {
    status: 'ok',
    samplesMs,
    notes,
    baselineRssMiB,
    peakRssMiB: kibToMiB(childPeak ?? peakRssKiB()),
    // Unrounded: the orchestrator weights it by sample count when it merges rounds, then rounds.
    cpuMsPerIteration: cpuMs / Math.max(1, samplesMs.length),
  };
}

const { job } = await nextMessage('job');
let outcome: JobOutcome;
try {
  outcome = await run(job);
} catch (error) {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  outcome = { status: 'failed', detail: detail.slice(0, 2_000), samplesMs: [], notes: [] };
}
send({ type: 'done', outcome });
process.disconnect?.();
// Some peers keep sockets or timers alive; the result is sent, so leave.
setTimeout(() => process.exit(0), 200).unref();
