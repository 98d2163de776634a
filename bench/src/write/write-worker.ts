/**
 * One write measurement in its own process (so peak RSS is the client's
 * own): one untimed iteration through the counting proxies, then the timed
 * iterations straight against the registries, each into a fresh repository.
 */
import { peakRssKiB } from '../memory';
import { loadWriteClient } from './write-clients';
import type { WriteJob, WriteOrchestratorMessage, WriteOutcome, WriteWorkerMessage } from './write-jobs';

function send(message: WriteWorkerMessage): void {
  process.send?.(message);
}

function next<T extends WriteOrchestratorMessage['type']>(type: T): Promise<Extract<WriteOrchestratorMessage, { type: T }>> {
  return new Promise((resolve) => {
    const listener = (message: WriteOrchestratorMessage) => {
      if (message.type !== type) return;
      process.off('message', listener);
      resolve(message as Extract<WriteOrchestratorMessage, { type: T }>);
    };
    process.on('message', listener);
  });
}

const toMiB = (kib: number) => Math.round((kib / 1024) * 10) / 10;

async function run(job: WriteJob): Promise<WriteOutcome> {
  const client = await loadWriteClient(job.client);
  const notes = client.notes[job.task] ? [client.notes[job.task] as string] : [];
  const unsupported = client.unsupported[job.task];
  if (unsupported !== undefined) return { status: 'unsupported', detail: unsupported, samplesMs: [], notes };
  const repository = (i: number | 'count') => `${job.task.toLowerCase()}/${job.client}/${job.runId}-${i}`;
  await client.run(job.task, job.workload, repository('count'), true);
  send({ type: 'counted' });
  await next('continue');
  const samplesMs: number[] = [];
  const cpuBefore = process.cpuUsage();
  const childCpuBefore = client.childCpuMs?.() ?? 0;
  for (let i = 0; i < job.iterations; i++) {
    const started = performance.now();
    await client.run(job.task, job.workload, repository(i), false);
    samplesMs.push(performance.now() - started);
  }
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000 + ((client.childCpuMs?.() ?? 0) - childCpuBefore);
  const childPeak = client.childPeakRssKiB?.();
  if (childPeak !== undefined) notes.push('peak RSS and CPU are those of the processes it started (GNU time)');
  return {
    status: 'ok',
    samplesMs,
    notes,
    peakRssMiB: toMiB(childPeak ?? peakRssKiB()),
    cpuMsPerIteration: cpuMs / Math.max(1, samplesMs.length),
  };
}

const { job } = await next('job');
let outcome: WriteOutcome;
try {
  outcome = await run(job);
} catch (error) {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  outcome = { status: 'failed', detail: detail.slice(0, 2_000), samplesMs: [], notes: [] };
}
send({ type: 'done', outcome });
process.disconnect?.();
setTimeout(() => process.exit(0), 200).unref();
