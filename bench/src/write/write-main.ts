/**
 * The write benchmark: T6 copies a multi-arch image with a large layer from
 * one real distribution 2.8 registry to another (token mode both sides), and
 * T7 uploads a large blob. regkit on each transport against skopeo and raw
 * undici. Each (task, client) runs in its own worker: one untimed iteration
 * through counting proxies (requests, token requests), then the timed ones.
 *
 *   node dist/write.js [--smoke] [--tasks T6,T7] [--clients a,b] [--blob-mib N] [--iterations N] [--out FILE]
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CountingProxy, startCountingProxy } from '../counting-proxy';
import { machineInfo } from '../environment';
import { connectionOf, DEFAULT_USERS, findTool, PushClient, type RunningRegistry, sha256Digest, startRegistry } from '../harness';
import { type Pinning, pinOrchestrator, planPinning, workerLaunch } from '../pinning';
import { pushBlobInChunks } from '../seed';
import { deterministicChunks } from '../seed-stream';
import {
  minimumWriteRequests,
  WRITE_CLIENTS,
  type WriteClientId,
  type WriteJob,
  type WriteOrchestratorMessage,
  type WriteOutcome,
  type WriteTaskId,
  type WriteWorkerMessage,
  type WriteWorkload,
} from './write-jobs';

const WORKER = fileURLToPath(new URL('./write-worker.js', import.meta.url));
const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
const SOURCE_REPOSITORY = 'bench/multi';

interface Options {
  smoke: boolean;
  tasks: WriteTaskId[];
  clients: WriteClientId[];
  blobBytes: number;
  iterations: number;
  /** Passes over the clients, round-robin; each runs `iterations` timed copies per pass. */
  rounds: number;
  out: string | undefined;
  pin: boolean;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

function parse(argv: readonly string[]): Options {
  const options: Options = {
    smoke: false,
    tasks: ['T6', 'T7'],
    clients: [...WRITE_CLIENTS],
    blobBytes: 256 * 1024 * 1024,
    iterations: 3,
    rounds: 1,
    out: undefined,
    pin: true,
  };
  let blobSet = false;
  let iterationsSet = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--smoke') options.smoke = true;
    else if (arg === '--no-pin') options.pin = false;
    else if (arg === '--tasks') options.tasks = value().split(',') as WriteTaskId[];
    else if (arg === '--clients') options.clients = value().split(',') as WriteClientId[];
    else if (arg === '--blob-mib') {
      options.blobBytes = Number(value()) * 1024 * 1024;
      blobSet = true;
    } else if (arg === '--iterations') {
      options.iterations = Number(value());
      iterationsSet = true;
    } else if (arg === '--rounds') options.rounds = Number(value());
    else if (arg === '--out') options.out = value();
    else throw new Error(`unknown option ${arg}`);
  }
  for (const task of options.tasks) if (task !== 'T6' && task !== 'T7') throw new Error(`unknown task ${task}`);
  for (const client of options.clients) if (!WRITE_CLIENTS.includes(client)) throw new Error(`unknown client ${client}`);
  if (options.smoke) {
    if (!blobSet) options.blobBytes = 4 * 1024 * 1024;
    if (!iterationsSet) options.iterations = 1;
  }
  if (!Number.isSafeInteger(options.blobBytes) || options.blobBytes <= 0) throw new Error('--blob-mib must be positive');
  if (!Number.isSafeInteger(options.iterations) || options.iterations <= 0) throw new Error('--iterations must be positive');
  if (!Number.isSafeInteger(options.rounds) || options.rounds <= 0) throw new Error('--rounds must be positive');
  return options;
}

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const content = (bytes: Uint8Array, mediaType: string) => ({ digest: sha256Digest(bytes), bytes, mediaType });

/** The source image: amd64 with the large layer and a small one, arm64 with a small one, in an OCI index. */
async function seedSource(registry: RunningRegistry, blobBytes: number): Promise<WriteWorkload['image']> {
  const client = new PushClient(connectionOf(registry), DEFAULT_USERS.admin);
  const bigDigest = await pushBlobInChunks(client, SOURCE_REPOSITORY, blobBytes);
  const children = [];
  let blobs = 1;
  for (const [architecture, big] of [
    ['amd64', true],
    ['arm64', false],
  ] as const) {
    const small = content(randomBytes(64 * 1024), OCI_LAYER);
    const config = content(json({ architecture, os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }), OCI_CONFIG);
    await client.pushBlob(SOURCE_REPOSITORY, small);
    await client.pushBlob(SOURCE_REPOSITORY, config);
    blobs += 2;
    const layers = [
      ...(big ? [{ mediaType: OCI_LAYER, digest: bigDigest, size: blobBytes }] : []),
      { mediaType: OCI_LAYER, digest: small.digest, size: small.bytes.byteLength },
    ];
    const manifest = content(
      json({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: OCI_CONFIG, digest: config.digest, size: config.bytes.byteLength },
        layers,
      }),
      OCI_MANIFEST,
    );
    await client.putManifest(SOURCE_REPOSITORY, manifest.digest, manifest);
    children.push({ manifest, architecture });
  }
  const index = content(
    json({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: children.map(({ manifest, architecture }) => ({
        mediaType: OCI_MANIFEST,
        digest: manifest.digest,
        size: manifest.bytes.byteLength,
        platform: { architecture, os: 'linux' },
      })),
    }),
    OCI_INDEX,
  );
  await client.putManifest(SOURCE_REPOSITORY, 'v1', index);
  return {
    repository: SOURCE_REPOSITORY,
    tag: 'v1',
    digest: index.digest,
    blobs,
    children: children.length,
    bigLayerBytes: blobBytes,
  };
}

function uploadDigest(bytes: number): string {
  const hash = createHash('sha256');
  for (const chunk of deterministicChunks(bytes, 8 * 1024 * 1024)) hash.update(chunk);
  return `sha256:${hash.digest('hex')}`;
}

interface Side {
  readonly registry: RunningRegistry;
  readonly proxy: CountingProxy;
}

interface Row {
  task: WriteTaskId;
  client: WriteClientId;
  status: WriteOutcome['status'];
  detail?: string;
  notes: string[];
  samplesMs: number[];
  medianMs?: number;
  peakRssMiB?: number;
  cpuMsPerIteration?: number;
  requests?: { source: number; destination: number; token: number; total: number; connections: number };
  minimumRequests: number;
  throughputMiBs?: number;
  load1: number;
}

const median = (values: readonly number[]) => {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

async function runJob(job: WriteJob, sides: readonly [Side, Side], pinning: Pinning | undefined) {
  const child: ChildProcess = fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], ...workerLaunch(pinning, []) });
  const tokens = () => sides.reduce((sum, side) => sum + (side.registry.tokenServer?.tokenRequests.length ?? 0), 0);
  for (const side of sides) side.proxy.reset();
  const tokensBefore = tokens();
  let requests: Row['requests'];
  let outcome: WriteOutcome | undefined;
  const timer = setTimeout(() => child.kill('SIGKILL'), 30 * 60_000);
  await new Promise<void>((resolve) => {
    child.on('message', (message: WriteWorkerMessage) => {
      if (message.type === 'counted') {
        const [source, destination] = sides.map((side) => side.proxy.counts());
        const token = tokens() - tokensBefore;
        requests = {
          source: source?.requests ?? 0,
          destination: destination?.requests ?? 0,
          token,
          total: (source?.requests ?? 0) + (destination?.requests ?? 0) + token,
          connections: (source?.connections ?? 0) + (destination?.connections ?? 0),
        };
        child.send({ type: 'continue' } satisfies WriteOrchestratorMessage);
      } else if (message.type === 'done') outcome = message.outcome;
    });
    child.once('exit', () => resolve());
    child.send({ type: 'job', job } satisfies WriteOrchestratorMessage);
  });
  clearTimeout(timer);
  return {
    outcome: outcome ?? { status: 'failed' as const, detail: `worker exited (code ${child.exitCode})`, samplesMs: [], notes: [] },
    requests,
  };
}

/** One client's passes as one outcome: every sample, the highest peak, CPU per iteration over all; a failed pass wins. */
function mergeOutcomes(outcomes: readonly WriteOutcome[]): WriteOutcome {
  const bad = outcomes.find((outcome) => outcome.status !== 'ok');
  if (bad !== undefined) return bad;
  const samplesMs = outcomes.flatMap((outcome) => outcome.samplesMs);
  const peaks = outcomes.flatMap((outcome) => (outcome.peakRssMiB === undefined ? [] : [outcome.peakRssMiB]));
  const cpuMs = outcomes.reduce((sum, outcome) => sum + (outcome.cpuMsPerIteration ?? 0) * outcome.samplesMs.length, 0);
  return {
    status: 'ok',
    samplesMs,
    notes: outcomes[0]?.notes ?? [],
    ...(peaks.length > 0 && { peakRssMiB: Math.max(...peaks) }),
    cpuMsPerIteration: cpuMs / Math.max(1, samplesMs.length),
  };
}

function table(rows: readonly Row[], task: WriteTaskId): string {
  const raw = rows.find((r) => r.task === task && r.client === 'raw-undici')?.medianMs;
  const lines = [
    '| client | median | × raw | CPU/iter | requests (source + destination + token) | minimum | MiB/s | peak RSS |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const row of rows.filter((r) => r.task === task)) {
    if (row.status !== 'ok') {
      lines.push(`| ${row.client} | ${row.status}: ${(row.detail ?? '').slice(0, 80)} | | | | | | |`);
      continue;
    }
    const ms = row.medianMs ?? 0;
    const r = row.requests;
    lines.push(
      `| ${row.client} | ${ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`} | ${raw ? `${(ms / raw).toFixed(2)}×` : ''} | ${Math.round(row.cpuMsPerIteration ?? 0)} ms | ${r ? `${r.total} (${r.source} + ${r.destination} + ${r.token})` : ''} | ${row.minimumRequests} | ${row.throughputMiBs ?? ''} | ${row.peakRssMiB ?? ''} MiB |`,
    );
  }
  return lines.join('\n');
}

function targets(rows: readonly Row[]): string[] {
  const out: string[] = [];
  const skopeo = rows.find((r) => r.task === 'T6' && r.client === 'skopeo')?.medianMs;
  const raw7 = rows.find((r) => r.task === 'T7' && r.client === 'raw-undici')?.medianMs;
  for (const row of rows.filter((r) => r.client.startsWith('regkit-') && r.status === 'ok')) {
    const ms = row.medianMs ?? Number.POSITIVE_INFINITY;
    if (row.client === 'regkit-cli') {
      // The targets are the library's, on each transport; the command line is a process beside skopeo's,
      // Node.js start-up included, shown for what it is.
      if (skopeo !== undefined)
        out.push(
          `T6 regkit-cli (a new process, as skopeo): ${ms.toFixed(0)} vs ${skopeo.toFixed(0)} ms, peak RSS ${row.peakRssMiB} MiB`,
        );
      continue;
    }
    if (row.task === 'T6') {
      if (skopeo !== undefined)
        out.push(
          `T6 ${row.client}: faster than skopeo copy: ${ms < skopeo ? 'met' : 'MISSED'} (${ms.toFixed(0)} vs ${skopeo.toFixed(0)} ms)`,
        );
      out.push(`T6 ${row.client}: peak RSS < 150 MiB: ${(row.peakRssMiB ?? 0) < 150 ? 'met' : 'MISSED'} (${row.peakRssMiB} MiB)`);
    } else if (raw7 !== undefined) {
      const share = raw7 / ms;
      out.push(
        `T7 ${row.client}: throughput ≥ 90% of raw undici: ${share >= 0.9 ? 'met' : 'MISSED'} (${Math.round(share * 100)}%)`,
      );
    }
    out.push(
      `${row.task} ${row.client}: requests at the protocol minimum: ${(row.requests?.total ?? Number.POSITIVE_INFINITY) <= row.minimumRequests ? 'met' : 'MISSED'} (${row.requests?.total} vs ${row.minimumRequests})`,
    );
  }
  return out;
}

async function main(): Promise<number> {
  let options: Options;
  try {
    options = parse(process.argv.slice(2));
  } catch (error) {
    log(
      `${(error as Error).message}\nusage: node dist/write.js [--smoke] [--tasks T6,T7] [--clients a,b] [--blob-mib N] [--iterations N] [--rounds N] [--out FILE] [--no-pin]`,
    );
    return 2;
  }
  if (findTool('docker-registry') === undefined) {
    log('docker-registry is not installed');
    return 1;
  }
  if (findTool('skopeo') === undefined) options.clients = options.clients.filter((c) => c !== 'skopeo');
  const pinning = options.pin ? planPinning() : undefined;
  if (pinning) pinOrchestrator(pinning);
  const machine = machineInfo();
  const startedAt = new Date();
  log(
    `regkit write bench${options.smoke ? ' (smoke)' : ''}: ${machine.cores} cores, node ${machine.node}, blob ${options.blobBytes / 1024 / 1024} MiB`,
  );
  const registries: RunningRegistry[] = [];
  const proxies: CountingProxy[] = [];
  try {
    for (let i = 0; i < 2; i++) {
      const registry = await startRegistry({ mode: 'token', logLevel: 'error' });
      registries.push(registry);
      proxies.push(await startCountingProxy(registry.port));
    }
    const [sourceRegistry, destinationRegistry] = registries as [RunningRegistry, RunningRegistry];
    const [sourceProxy, destinationProxy] = proxies as [CountingProxy, CountingProxy];
    const seeded = performance.now();
    const image = await seedSource(sourceRegistry, options.blobBytes);
    const workload: WriteWorkload = {
      source: { origin: sourceRegistry.origin, countOrigin: sourceProxy.origin },
      destination: { origin: destinationRegistry.origin, countOrigin: destinationProxy.origin },
      credentials: { username: DEFAULT_USERS.admin.username, password: DEFAULT_USERS.admin.password },
      image,
      upload: { bytes: options.blobBytes, digest: uploadDigest(options.blobBytes) },
    };
    log(`seeded the source in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);
    const sides = [
      { registry: sourceRegistry, proxy: sourceProxy },
      { registry: destinationRegistry, proxy: destinationProxy },
    ] as const;
    const rows: Row[] = [];
    for (const task of options.tasks) {
      // Round-robin passes: drift in load or in the registries' state (their storage fills up) then
      // falls on every client alike instead of on whichever runs last.
      const passes = new Map<WriteClientId, { outcomes: WriteOutcome[]; requests: Row['requests']; load1: number[] }>();
      for (let round = 0; round < options.rounds; round++) {
        for (const client of options.clients) {
          const load1 = Math.round((loadavg()[0] ?? 0) * 100) / 100;
          const job: WriteJob = { task, client, workload, iterations: options.iterations, runId: `${Date.now().toString(36)}` };
          const { outcome, requests } = await runJob(job, sides, pinning);
          const pass = passes.get(client) ?? { outcomes: [], requests, load1: [] };
          pass.outcomes.push(outcome);
          pass.load1.push(load1);
          passes.set(client, pass);
          if (options.rounds > 1) log(`  ${task} ${client.padEnd(14)} round ${round + 1}: ${outcome.status}`);
        }
      }
      for (const client of options.clients) {
        const pass = passes.get(client);
        if (pass === undefined) continue;
        const outcome = mergeOutcomes(pass.outcomes);
        const { requests } = pass;
        const load1 = Math.max(...pass.load1);
        const medianMs = median(outcome.samplesMs);
        const row: Row = {
          task,
          client,
          status: outcome.status,
          ...(outcome.detail !== undefined && { detail: outcome.detail }),
          notes: outcome.notes,
          samplesMs: outcome.samplesMs.map((ms) => Math.round(ms * 10) / 10),
          ...(medianMs !== undefined && { medianMs: Math.round(medianMs * 10) / 10 }),
          ...(outcome.peakRssMiB !== undefined && { peakRssMiB: outcome.peakRssMiB }),
          ...(outcome.cpuMsPerIteration !== undefined && { cpuMsPerIteration: Math.round(outcome.cpuMsPerIteration) }),
          ...(requests !== undefined && outcome.status === 'ok' && { requests }),
          minimumRequests: minimumWriteRequests(task, workload),
          ...(medianMs !== undefined && {
            throughputMiBs: Math.round((options.blobBytes / 1024 / 1024 / (medianMs / 1000)) * 10) / 10,
          }),
          load1,
        };
        rows.push(row);
        log(
          `  ${task} ${client.padEnd(14)} ${row.status === 'ok' ? `median ${row.medianMs} ms, ${row.requests?.total} requests (minimum ${row.minimumRequests}), peak RSS ${row.peakRssMiB} MiB, load ${load1}` : `${row.status}: ${row.detail}`}`,
        );
      }
    }
    for (const task of options.tasks) {
      process.stdout.write(
        `\n**${task === 'T6' ? 'T6 copy multi-arch image between registries, token mode' : 'T7 blob upload, token mode'}** (${options.blobBytes / 1024 / 1024} MiB)\n\n${table(rows, task)}\n`,
      );
    }
    const checks = targets(rows);
    process.stdout.write(`\n${checks.join('\n')}\n`);
    const out =
      options.out ?? `${RESULTS_DIR}${options.smoke ? 'smoke-' : ''}write-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`;
    await mkdir(dirname(out), { recursive: true });
    await writeFile(
      out,
      `${JSON.stringify({ startedAt, machine, options, workload: { image, uploadBytes: options.blobBytes }, rows, checks }, null, 2)}\n`,
    );
    log(`results: ${out}`);
    const broken = rows.some((r) => (r.client === 'raw-undici' || r.client.startsWith('regkit-')) && r.status === 'failed');
    return broken ? 1 : 0;
  } finally {
    for (const proxy of proxies) await proxy.close();
    for (const registry of registries) await registry.stop();
  }
}

process.exitCode = await main();
