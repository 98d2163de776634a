// T4 beside the physical limits: one 256 MiB blob on the loopback distribution registry (open
// mode), fetched by whole processes: `curl -o /dev/null` (how fast the registry serves, no hashing),
// a raw node:http script (stream + sha256, the floor for a Node program), and `regkit blob`
// (stream + verify, to /dev/null), each with its peak RSS; and this machine's SHA-256 rate in
// Node's crypto, which bounds any verifying client.
//
//   node bench/dist/blob-limits.js [--iterations 3] [--blob-mib 256] [--no-pin]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { connectionOf, findExecutable, PushClient, startRegistry } from '../harness';
import { pinOrchestrator, planPinning } from '../pinning';
import { deterministicChunks } from '../seed';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const REGKIT = here('../../packages/cli/dist/regkit.cjs');
const RAW = here('./cold-raw-http.js');
const REPOSITORY = 'single/limits';
const CHUNK = 8 * 1024 * 1024;

async function pushBlob(client: PushClient, totalBytes: number): Promise<string> {
  const scopes = [`repository:${REPOSITORY}:pull,push`];
  let response = await client.send('POST', `/v2/${REPOSITORY}/blobs/uploads/`, { scopes });
  let location = response.headers.get('location') as string;
  await response.body?.cancel();
  const hash = createHash('sha256');
  let offset = 0;
  for (const chunk of deterministicChunks(totalBytes, CHUNK)) {
    hash.update(chunk);
    response = await client.send('PATCH', location, {
      scopes,
      headers: { 'content-type': 'application/octet-stream', 'content-range': `${offset}-${offset + chunk.length - 1}` },
      body: chunk,
    });
    if (response.status !== 202) throw new Error(`PATCH: HTTP ${response.status}`);
    await response.body?.cancel();
    location = response.headers.get('location') as string;
    offset += chunk.length;
  }
  const digest = `sha256:${hash.digest('hex')}`;
  const url = new URL(location, client.connection.origin);
  url.searchParams.set('digest', digest);
  response = await client.send('PUT', url.href, { scopes });
  if (response.status !== 201) throw new Error(`PUT: HTTP ${response.status}`);
  await response.body?.cancel();
  return digest;
}

function sha256Rate(totalBytes: number): number {
  const chunk = Buffer.alloc(CHUNK, 0x5a);
  const started = performance.now();
  const hash = createHash('sha256');
  for (let done = 0; done < totalBytes; done += CHUNK) hash.update(chunk);
  hash.digest();
  return totalBytes / 1024 / 1024 / ((performance.now() - started) / 1000);
}

interface Measured {
  readonly seconds: number;
  readonly peakRssMiB: number;
}

/** Runs a program under GNU time for its wall time and peak RSS; stdout is discarded. */
function measure(time: string, taskset: readonly string[], argv: readonly string[]): Measured {
  const result = spawnSync(time, ['-f', '%e %M', ...taskset, ...argv], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const last = result.stderr.trim().split('\n').at(-1) ?? '';
  const [seconds, kib] = last.split(' ').map(Number);
  if (result.status !== 0 || seconds === undefined || kib === undefined)
    throw new Error(`${argv.join(' ')} failed: ${result.stderr}`);
  return { seconds, peakRssMiB: kib / 1024 };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      iterations: { type: 'string', default: '3' },
      'blob-mib': { type: 'string', default: '256' },
      'no-pin': { type: 'boolean', default: false },
    },
  });
  const iterations = Number(values.iterations);
  const mib = Number(values['blob-mib']);
  const pinning = values['no-pin'] ? undefined : planPinning();
  if (pinning !== undefined) pinOrchestrator(pinning);
  const taskset = pinning === undefined ? [] : [pinning.taskset, '--cpu-list', pinning.clientCpus];
  const time = findExecutable('time') ?? '/usr/bin/time';
  const curl = findExecutable('curl');
  const registry = await startRegistry({ mode: 'open' });
  try {
    const digest = await pushBlob(new PushClient(connectionOf(registry)), mib * 1024 * 1024);
    const origin = connectionOf(registry).origin;
    const host = origin.replace(/^https?:\/\//, '');
    const programs: [string, string[]][] = [
      ['raw node:http (stream + sha256)', [process.execPath, RAW, 'blob', host, REPOSITORY, digest]],
      ['regkit blob (stream + verify)', [process.execPath, REGKIT, 'blob', `${host}/${REPOSITORY}@${digest}`, '-q']],
    ];
    if (curl !== undefined)
      programs.unshift([
        'curl -o /dev/null (no hashing)',
        [curl, '-sf', '-o', '/dev/null', `${origin}/v2/${REPOSITORY}/blobs/${digest}`],
      ]);
    const samples = new Map<string, Measured[]>(programs.map(([name]) => [name, []]));
    for (let i = 0; i < iterations; i++)
      for (const [name, argv] of programs) samples.get(name)?.push(measure(time, taskset, argv));
    const rates: number[] = [];
    for (let i = 0; i < iterations; i++) rates.push(sha256Rate(mib * 1024 * 1024));
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
    console.log(`\n**T4 beside the limits: a ${mib} MiB blob, whole processes — open** (${iterations} runs each, median)\n`);
    console.log('| | time | MiB/s | peak RSS |');
    console.log('|---|---|---|---|');
    for (const [name] of programs) {
      const runs = samples.get(name) ?? [];
      const seconds = median(runs.map((r) => r.seconds));
      console.log(
        `| ${name} | ${seconds.toFixed(2)} s | ${(mib / seconds).toFixed(0)} | ${median(runs.map((r) => r.peakRssMiB)).toFixed(0)} MiB |`,
      );
    }
    console.log(`| SHA-256 in Node's crypto, this machine | | ${median(rates).toFixed(0)} | |`);
    const regkit = samples.get('regkit blob (stream + verify)') ?? [];
    const peak = Math.max(...regkit.map((r) => r.peakRssMiB));
    console.log(`\ntarget regkit blob peak RSS < 150 MiB: ${peak.toFixed(0)} MiB ${peak < 150 ? 'met' : 'MISSED'}`);
  } finally {
    await registry.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
