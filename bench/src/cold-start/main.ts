// T0, cold start: whole processes, start-up included, as a user runs them. `regkit digest` and
// `regkit inspect` of library/golang:1.12.0 on the loopback distribution registry (open and token
// mode), against a raw node:http script doing the same requests, `skopeo inspect`, and bare
// `node -e 0` (what any Node program pays before its first line).
//
//   node bench/dist/cold-start.js [--iterations 5] [--modes open,token] [--timeout-ms 20000] [--out FILE] [--no-pin]
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { connectionOf, DEFAULT_USERS, findTool, PushClient, type RunningRegistry, seedPlan, startRegistry } from '../harness';
import { type Pinning, pinOrchestrator, planPinning } from '../pinning';

type Mode = 'open' | 'token';
type Task = 'digest' | 'inspect';

interface Client {
  readonly name: string;
  readonly task: Task;
  /** The program and its arguments for one run against `host`. */
  command(host: string): readonly string[];
  /** Checks a run's stdout; returns why it is wrong, or undefined. */
  check(stdout: Buffer, digest: string): string | undefined;
}

interface Row {
  readonly mode: Mode;
  readonly task: Task;
  readonly client: string;
  readonly samplesMs: number[];
  readonly medianMs: number;
  readonly failure?: string;
}

const REPOSITORY = 'library/golang';
const TAG = '1.12.0';
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const REGKIT = here('../../packages/cli/dist/regkit.cjs');
const RAW = here('./cold-raw-http.js');
const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const printsDigest = (stdout: Buffer, digest: string) =>
  stdout.toString().startsWith(digest) ? undefined : `printed ${stdout.toString().slice(0, 80)}`;

function clients(skopeo: string | undefined): Client[] {
  const ref = (host: string) => `${host}/${REPOSITORY}:${TAG}`;
  const list: Client[] = [
    { name: 'node -e 0', task: 'digest', command: () => [process.execPath, '-e', '0'], check: () => undefined },
    {
      name: 'raw node:http',
      task: 'digest',
      command: (h) => [process.execPath, RAW, 'digest', h, REPOSITORY, TAG],
      check: printsDigest,
    },
    { name: 'regkit digest', task: 'digest', command: (h) => [process.execPath, REGKIT, 'digest', ref(h)], check: printsDigest },
    {
      name: 'raw node:http',
      task: 'inspect',
      command: (h) => [process.execPath, RAW, 'inspect', h, REPOSITORY, TAG],
      check: printsDigest,
    },
    {
      name: 'regkit inspect',
      task: 'inspect',
      command: (h) => [process.execPath, REGKIT, 'inspect', ref(h), '--json'],
      check: (out, d) => (JSON.parse(out.toString()).digest === d ? undefined : 'wrong digest'),
    },
  ];
  if (skopeo !== undefined) {
    list.push(
      {
        name: 'skopeo inspect --raw',
        task: 'digest',
        command: (h) => [skopeo, 'inspect', '--raw', '--tls-verify=false', `docker://${ref(h)}`],
        check: (out, d) => (sha256(out) === d ? undefined : 'manifest bytes do not hash to the digest'),
      },
      {
        name: 'skopeo inspect',
        task: 'inspect',
        command: (h) => [skopeo, 'inspect', '--tls-verify=false', `docker://${ref(h)}`],
        check: (out) => (JSON.parse(out.toString()).Digest ? undefined : 'no Digest'),
      },
    );
  }
  return list;
}

async function seed(registry: RunningRegistry): Promise<string> {
  const client = new PushClient(connectionOf(registry), registry.mode === 'open' ? undefined : DEFAULT_USERS.admin);
  const plan = seedPlan();
  for (const image of plan.golang.images) {
    await Promise.all([image.config, ...image.layers].map((blob) => client.pushBlob(REPOSITORY, blob)));
    await client.putManifest(REPOSITORY, image.manifest.digest, image.manifest);
  }
  await client.putManifest(REPOSITORY, TAG, plan.golang.list);
  return plan.golang.list.digest;
}

interface RunResult {
  readonly ms: number;
  readonly stdout: Buffer;
  readonly status: number | null;
  readonly stderr: string;
  /** Set when the process was killed for running past the timeout. */
  readonly timedOut: boolean;
}

/**
 * Runs one process and times it. Asynchronously, never with `spawnSync`: in token mode the token
 * service runs in this process (the harness's), and a blocked event loop cannot answer the very
 * token request the measured client waits on, so every token run would hang.
 */
function runOnce(client: Client, host: string, pinning: Pinning | undefined, timeoutMs: number): Promise<RunResult> {
  const [program, ...args] = client.command(host) as [string, ...string[]];
  const argv = pinning === undefined ? [program, ...args] : [pinning.taskset, '--cpu-list', pinning.clientCpus, program, ...args];
  const env = {
    ...process.env,
    DOCKER_CONFIG: '/nonexistent/regkit-bench',
    REGISTRY_AUTH_FILE: '/nonexistent/regkit-bench.json',
    // Loopback only: a proxy set on the machine would be honoured by regkit but not by skopeo (Go skips loopback).
    HTTP_PROXY: '',
    http_proxy: '',
    HTTPS_PROXY: '',
    https_proxy: '',
  };
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(argv[0] as string, argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    // A process that hangs is killed and reported as failed, instead of stalling the whole run.
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    const done = (status: number | null, error?: Error) => {
      const ms = performance.now() - started;
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString() + (error === undefined ? '' : error.message);
      resolve({ ms, stdout: Buffer.concat(out), status, stderr, timedOut });
    };
    child.on('error', (error) => done(null, error));
    child.on('close', (status) => done(status));
  });
}

/** Why a run does not count, or undefined when it is a valid sample. */
function wrongRun(client: Client, run: RunResult, digest: string, timeoutMs: number): string | undefined {
  if (run.timedOut) return `timed out after ${timeoutMs} ms`;
  if (run.status !== 0) return `exit ${run.status}: ${run.stderr.trim().slice(0, 200)}`;
  try {
    return client.check(run.stdout, digest);
  } catch (error) {
    return `unreadable output: ${(error as Error).message}`;
  }
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      iterations: { type: 'string', default: '5' },
      'timeout-ms': { type: 'string', default: '20000' },
      modes: { type: 'string', default: 'open,token' },
      out: { type: 'string' },
      'no-pin': { type: 'boolean', default: false },
    },
  });
  const iterations = Number(values.iterations);
  const timeoutMs = Number(values['timeout-ms']);
  if (!(Number.isSafeInteger(iterations) && iterations > 0)) throw new Error(`--iterations must be a positive integer`);
  if (!(Number.isSafeInteger(timeoutMs) && timeoutMs > 0)) throw new Error(`--timeout-ms must be a positive integer`);
  const modes = (values.modes as string).split(',') as Mode[];
  const pinning = values['no-pin'] ? undefined : planPinning();
  if (pinning !== undefined) pinOrchestrator(pinning);
  const skopeo = findTool('skopeo');
  const rows: Row[] = [];
  const load: number[] = [loadavg()[0] as number];
  for (const mode of modes) {
    const registry = await startRegistry({ mode });
    try {
      const digest = await seed(registry);
      const host = connectionOf(registry).origin.replace(/^https?:\/\//, '');
      const list = clients(skopeo);
      const samples = new Map<Client, number[]>(list.map((c) => [c, []]));
      const failures = new Map<Client, string>();
      // One untimed run each (disk cache, the registry's first answers), then the timed runs
      // round-robin, so drift in the machine's load hits every client alike.
      // A client that fails or hangs on its warm-up run is not timed at all.
      for (const client of list) {
        const wrong = wrongRun(client, await runOnce(client, host, pinning, timeoutMs), digest, timeoutMs);
        if (wrong !== undefined) failures.set(client, `warm-up: ${wrong}`);
      }
      for (let i = 0; i < iterations; i++) {
        for (const client of list) {
          if (failures.has(client)) continue;
          const run = await runOnce(client, host, pinning, timeoutMs);
          const wrong = wrongRun(client, run, digest, timeoutMs);
          if (wrong !== undefined) failures.set(client, wrong);
          else samples.get(client)?.push(run.ms);
        }
      }
      for (const client of list) {
        const ms = samples.get(client) ?? [];
        const failure = failures.get(client);
        rows.push({
          mode,
          task: client.task,
          client: client.name,
          samplesMs: ms,
          medianMs: median(ms),
          ...(failure !== undefined && { failure }),
        });
      }
    } finally {
      await registry.stop();
    }
    load.push(loadavg()[0] as number);
  }
  report(rows, modes, iterations, pinning, load, values.out);
}

function report(
  rows: readonly Row[],
  modes: readonly Mode[],
  iterations: number,
  pinning: Pinning | undefined,
  load: readonly number[],
  outFile: string | undefined,
): void {
  let failed = false;
  for (const mode of modes) {
    for (const task of ['digest', 'inspect'] as const) {
      const taskRows = rows.filter((r) => r.mode === mode && r.task === task);
      const raw = taskRows.find((r) => r.client === 'raw node:http' && r.failure === undefined)?.medianMs;
      console.log(`\n**T0 cold start, ${task} library/golang:1.12.0 — ${mode}** (${iterations} runs each, whole process)\n`);
      console.log('| client | median | × raw node:http |');
      console.log('|---|---|---|');
      for (const row of taskRows) {
        if (row.failure !== undefined) {
          console.log(`| ${row.client} | failed: ${row.failure} | |`);
          if (row.client.startsWith('regkit') || row.client.startsWith('raw')) failed = true;
          continue;
        }
        const ratio = raw === undefined ? '' : `${(row.medianMs / raw).toFixed(2)}×`;
        console.log(`| ${row.client} | ${row.medianMs.toFixed(0)} ms | ${ratio} |`);
      }
      const regkit = taskRows.find((r) => r.client === `regkit ${task}`);
      if (regkit !== undefined && raw !== undefined && regkit.failure === undefined) {
        const ratio = regkit.medianMs / raw;
        console.log(
          `\ntarget regkit ${task} ≤ 1.2× raw node:http (${mode}): ${ratio.toFixed(2)}× ${ratio <= 1.2 ? 'met' : 'MISSED'}`,
        );
      }
    }
  }
  const file = outFile ?? here(`../results/cold-start-${new Date().toISOString().slice(0, 16).replace(/[:T]/g, '-')}.json`);
  mkdirSync(here('../results/'), { recursive: true });
  writeFileSync(
    file,
    `${JSON.stringify({ task: 'T0', date: new Date().toISOString(), node: process.version, pinning: pinning ?? null, load1: load, iterations, rows }, null, 2)}\n`,
  );
  console.log(`\nJSON: ${file}`);
  if (failed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
