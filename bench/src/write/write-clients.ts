/**
 * The clients of the write benchmark. Each runs one iteration of T6 (copy the
 * multi-arch image from the source registry to a fresh repository of the
 * destination) or T7 (upload the deterministic stream as a blob into a fresh
 * repository) and checks the result.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createTokenAuthenticator } from '@regkit/auth-token';
import { copyImage, createFetchTransport, Registry, type Transport } from '@regkit/core';
import { Agent, type Dispatcher, request } from 'undici';
import { isExecutable, requireTool } from '../../../tests/integration/src/harness/tools';
import { deterministicChunks } from '../seed-stream';
import type { Endpoint, WriteClientId, WriteTaskId, WriteWorkload } from './write-jobs';

const execFileAsync = promisify(execFile);
const REGKIT_CLI = fileURLToPath(new URL('../../packages/cli/dist/regkit.cjs', import.meta.url));
const UNSHARE = '/usr/bin/unshare';
const ROOT_CACHE = '/var/lib/containers/cache';
const STREAM_PIECE = 1024 * 1024;
const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface WriteClient {
  readonly notes: Partial<Record<WriteTaskId, string>>;
  readonly unsupported: Partial<Record<WriteTaskId, string>>;
  /** One iteration; `useCount` sends it through the counting proxies. */
  run(task: WriteTaskId, workload: WriteWorkload, repository: string, useCount: boolean): Promise<void>;
  /** Largest child process RSS in KiB (skopeo), when the client runs one. */
  childPeakRssKiB?(): number | undefined;
  childCpuMs?(): number;
}

const hostOf = (origin: string) => new URL(origin).host;
const originOf = (endpoint: Endpoint, useCount: boolean) => (useCount ? endpoint.countOrigin : endpoint.origin);

function uploadStream(bytes: number): Readable {
  return Readable.from(deterministicChunks(bytes, STREAM_PIECE));
}

async function transportFor(name: 'fetch' | 'undici' | 'axios'): Promise<Transport> {
  if (name === 'fetch') return createFetchTransport();
  if (name === 'undici') return (await import('@regkit/transport-undici')).createUndiciTransport();
  return (await import('@regkit/transport-axios')).createAxiosTransport();
}

/** regkit's public API: `copyImage` and `blobs().upload`, each registry with its own transport and token authenticator. */
export function regkitWriteClient(name: 'fetch' | 'undici' | 'axios'): WriteClient {
  return {
    notes: {
      T6: 'copyImage(); each blob streams source → destination in one PUT (every transport streams request bodies), largest first',
      T7: 'blobs().upload(Node Readable) as one streamed PATCH, digest computed while streaming, then PUT ?digest=',
    },
    unsupported: {},
    async run(task, workload, repository, useCount) {
      const transports = [await transportFor(name), await transportFor(name)];
      const registryFor = (endpoint: Endpoint, transport: Transport) =>
        new Registry({
          domain: hostOf(originOf(endpoint, useCount)),
          transport,
          authenticator: createTokenAuthenticator(workload.credentials),
          timeoutMs: 120_000,
        });
      const source = registryFor(workload.source, transports[0] as Transport);
      const destination = registryFor(workload.destination, transports[1] as Transport);
      try {
        if (task === 'T6') {
          const { image } = workload;
          const result = await copyImage(source.repository(image.repository), image.tag, destination.repository(repository));
          if (result.digest !== image.digest) throw new Error(`copied digest ${result.digest} != ${image.digest}`);
          if (result.blobs.uploaded !== image.blobs)
            throw new Error(`uploaded ${result.blobs.uploaded} blobs, expected ${image.blobs}`);
        } else {
          const result = await destination.repository(repository).blobs().upload(uploadStream(workload.upload.bytes));
          if (result.digest !== workload.upload.digest)
            throw new Error(`uploaded digest ${result.digest} != ${workload.upload.digest}`);
        }
      } finally {
        for (const transport of transports) await transport.close?.();
      }
    },
  };
}

/** Peak RSS and CPU of the processes a client started, as GNU time reports them. */
class ProcessUsage {
  peakKiB: number | undefined;
  cpuMs = 0;
  readonly time = isExecutable('/usr/bin/time') ? '/usr/bin/time' : undefined;

  /** The command line with GNU time in front, when it is there. */
  timed(file: string, args: readonly string[]): string[] {
    return this.time ? [this.time, '-f', 'regkit-usage: %M %U %S', file, ...args] : [file, ...args];
  }

  /** Takes the figures GNU time printed on stderr. */
  record(stderr: string): void {
    const usage = /regkit-usage: (\d+) ([\d.]+) ([\d.]+)/.exec(stderr);
    if (!usage) return;
    this.peakKiB = Math.max(this.peakKiB ?? 0, Number(usage[1]));
    this.cpuMs += (Number(usage[2]) + Number(usage[3])) * 1000;
  }
}

/** Runs a copy command; its failure never echoes the command line, which holds credentials. */
async function runCopyProcess(
  name: string,
  file: string,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  usage: ProcessUsage,
): Promise<void> {
  try {
    const { stderr } = await execFileAsync(file, [...argv], { timeout: 600_000, env });
    usage.record(stderr);
  } catch (error) {
    const failure = error as { stderr?: unknown; code?: unknown };
    throw new Error(`${name} failed (code ${String(failure.code)}): ${String(failure.stderr ?? '').slice(0, 500)}`);
  }
}

/** How a process client runs one copy: the command for these references, in a fresh home. */
interface CopyCommand {
  readonly name: string;
  readonly note: string;
  readonly t7: string;
  command(copy: { source: string; destination: string; credentials: WriteWorkload['credentials']; home: string }): {
    file: string;
    argv: readonly string[];
    env: NodeJS.ProcessEnv;
  };
}

/** A T6 client that copies by running a command, one process per copy; GNU time reports its peak RSS and CPU. */
function copyProcessClient(copy: CopyCommand): WriteClient {
  const usage = new ProcessUsage();
  return {
    notes: { T6: copy.note },
    unsupported: { T7: copy.t7 },
    childPeakRssKiB: () => usage.peakKiB,
    childCpuMs: () => usage.cpuMs,
    async run(_task, workload, repository, useCount) {
      const { image } = workload;
      const home = await mkdtemp(join(tmpdir(), 'regkit-bench-copy-home-'));
      try {
        const { file, argv, env } = copy.command({
          source: `${hostOf(originOf(workload.source, useCount))}/${image.repository}:${image.tag}`,
          destination: `${hostOf(originOf(workload.destination, useCount))}/${repository}:${image.tag}`,
          credentials: workload.credentials,
          home,
        });
        const timed = usage.timed(file, argv);
        await runCopyProcess(
          copy.name,
          timed[0] as string,
          timed.slice(1),
          { ...process.env, ...noProxy, HOME: home, ...env },
          usage,
        );
      } finally {
        await rm(home, { recursive: true, force: true });
      }
    },
  };
}

const noProxy = { NO_PROXY: '127.0.0.1', no_proxy: '127.0.0.1' };

/** skopeo copy docker:// → docker://. */
export function skopeoWriteClient(): WriteClient {
  return copyProcessClient({
    name: 'skopeo copy',
    note: 'skopeo copy --all --preserve-digests docker:// docker://; probes https first; process start-up included',
    t7: 'skopeo uploads images, not a bare blob',
    command({ source, destination, credentials: c, home }) {
      const argv = [
        '--insecure-policy',
        'copy',
        '--all',
        '--preserve-digests',
        '--quiet',
        '--src-tls-verify=false',
        '--dest-tls-verify=false',
        '--src-creds',
        `${c.username}:${c.password}`,
        '--dest-creds',
        `${c.username}:${c.password}`,
        `docker://${source}`,
        `docker://${destination}`,
      ];
      const env = { XDG_DATA_HOME: join(home, '.local/share') };
      // skopeo's blob-info cache remembers where blobs were pushed, and it would mount them from
      // an earlier run's repository instead of copying them. As root the cache is in
      // /var/lib/containers/cache: hide it behind an empty tmpfs in a private mount namespace.
      // Otherwise it follows $XDG_DATA_HOME, which the fresh home empties.
      if (process.getuid?.() !== 0 || !isExecutable(UNSHARE)) return { file: requireTool('skopeo'), argv, env };
      const mountCache = `mkdir -p ${ROOT_CACHE} && mount -t tmpfs none ${ROOT_CACHE} && exec "$@"`;
      return { file: UNSHARE, argv: ['-m', 'sh', '-c', mountCache, 'sh', requireTool('skopeo'), ...argv], env };
    },
  });
}

/**
 * `regkit copy`, the command line, one process like skopeo: Node.js start-up
 * included. Credentials through REGKIT_USERNAME / REGKIT_PASSWORD; the fresh
 * home holds no stored credentials.
 */
export function regkitCliWriteClient(): WriteClient {
  return copyProcessClient({
    name: 'regkit copy',
    note: 'regkit copy (the CLI, its node:http transport) as a new process; Node.js start-up included',
    t7: 'compared as a library call (regkit-undici and the others)',
    command: ({ source, destination, credentials: c }) => ({
      file: process.execPath,
      argv: [REGKIT_CLI, 'copy', '--quiet', source, destination],
      env: { REGKIT_USERNAME: c.username, REGKIT_PASSWORD: c.password },
    }),
  });
}

type Headers = Record<string, string>;

/**
 * The floor, by hand with undici 7: a token for pull,push asked once per
 * registry at the first challenge, every blob streamed from the source
 * response straight into one PUT (T6: the digest is known) or one PATCH
 * (T7: it is known only at the end), four blobs at a time.
 */
export function rawUndiciWriteClient(): WriteClient {
  return {
    notes: {
      T6: 'HEAD, GET, POST, one streamed PUT per blob (4 at a time); manifests GET + PUT byte for byte',
      T7: 'POST, one streamed PATCH with the whole body, PUT ?digest=',
    },
    unsupported: {},
    async run(task, workload, repository, useCount) {
      const agent = new Agent();
      try {
        const source = new RawRegistry(originOf(workload.source, useCount), agent, workload.credentials);
        const destination = new RawRegistry(originOf(workload.destination, useCount), agent, workload.credentials);
        if (task === 'T6') await rawCopy(source, destination, workload, repository);
        else {
          const hash = createHash('sha256');
          const body = Readable.from(
            (async function* () {
              for (const chunk of deterministicChunks(workload.upload.bytes, STREAM_PIECE)) {
                hash.update(chunk);
                yield chunk;
              }
            })(),
          );
          const scope = `repository:${repository}:pull,push`;
          const post = await destination.send('POST', `/v2/${repository}/blobs/uploads/`, scope, {}, 202);
          const location = header(post, 'location');
          const patch = await destination.send(
            'PATCH',
            location,
            scope,
            { 'content-type': 'application/octet-stream' },
            202,
            body,
          );
          const digest = `sha256:${hash.digest('hex')}`;
          if (digest !== workload.upload.digest) throw new Error(`uploaded digest ${digest} != ${workload.upload.digest}`);
          const next = header(patch, 'location');
          await destination.send('PUT', `${next}${next.includes('?') ? '&' : '?'}digest=${digest}`, scope, {}, 201);
        }
      } finally {
        await agent.close();
      }
    },
  };
}

function header(response: Dispatcher.ResponseData, name: string): string {
  const value = response.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined) throw new Error(`no ${name} header`);
  return text;
}

class RawRegistry {
  readonly #tokens = new Map<string, string>();

  constructor(
    private readonly origin: string,
    private readonly agent: Agent,
    private readonly credentials: { username: string; password: string },
  ) {}

  /** One request; a 401 costs one token GET (for `scope`, which may be wider than the challenge's) and one resend. */
  async send(
    method: Dispatcher.HttpMethod,
    pathOrUrl: string,
    scope: string,
    headers: Headers,
    expected: number | number[],
    body?: Readable | Uint8Array,
  ): Promise<Dispatcher.ResponseData> {
    const url = new URL(pathOrUrl, this.origin).href;
    const withToken = (token: string | undefined) =>
      token === undefined ? headers : { ...headers, authorization: `Bearer ${token}` };
    const options = (token: string | undefined) => ({
      method,
      headers: withToken(token),
      body: body ?? null,
      dispatcher: this.agent,
      // Keep the connection after a HEAD (undici closes it by default).
      ...(method === 'HEAD' && { reset: false }),
    });
    let response = await request(url, options(this.#tokens.get(scope)));
    if (response.statusCode === 401) {
      if (body instanceof Readable) throw new Error('a streamed body met a challenge: ask for the token first');
      const challenge = String(response.headers['www-authenticate'] ?? '');
      await response.body.dump();
      const token = await this.#token(challenge, scope);
      response = await request(url, options(token));
    }
    const wanted = Array.isArray(expected) ? expected : [expected];
    if (!wanted.includes(response.statusCode)) {
      const text = await response.body.text();
      throw new Error(`${method} ${new URL(url).pathname}: HTTP ${response.statusCode} ${text.slice(0, 300)}`);
    }
    return response;
  }

  async #token(challenge: string, scope: string): Promise<string> {
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (params.realm === undefined) throw new Error(`unexpected challenge: ${challenge}`);
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', scope);
    const basic = Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64');
    const response = await request(url, { headers: { authorization: `Basic ${basic}` }, dispatcher: this.agent });
    const json = (await response.body.json()) as { token?: string; access_token?: string };
    const token = json.token ?? json.access_token;
    if (token === undefined) throw new Error('no token');
    this.#tokens.set(scope, token);
    return token;
  }
}

async function rawCopy(
  source: RawRegistry,
  destination: RawRegistry,
  workload: WriteWorkload,
  repository: string,
): Promise<void> {
  const { image } = workload;
  const pull = `repository:${image.repository}:pull`;
  const push = `repository:${repository}:pull,push`;
  const getManifest = async (reference: string) => {
    const response = await source.send(
      'GET',
      `/v2/${image.repository}/manifests/${reference}`,
      pull,
      { accept: MANIFEST_ACCEPT },
      200,
    );
    const bytes = Buffer.from(await response.body.arrayBuffer());
    return { bytes, mediaType: String(response.headers['content-type']) };
  };
  const top = await getManifest(image.tag);
  const index = JSON.parse(top.bytes.toString('utf8')) as { manifests: { digest: string }[] };
  const children = [];
  const blobs = new Map<string, number>();
  for (const entry of index.manifests) {
    const child = await getManifest(entry.digest);
    const parsed = JSON.parse(child.bytes.toString('utf8')) as {
      config: { digest: string; size: number };
      layers: { digest: string; size: number }[];
    };
    for (const blob of [parsed.config, ...parsed.layers]) blobs.set(blob.digest, blob.size);
    children.push({ ...child, digest: entry.digest });
  }
  const copyBlob = async ([digest]: [string, number]) => {
    const head = await destination.send('HEAD', `/v2/${repository}/blobs/${digest}`, push, {}, [200, 404]);
    await head.body.dump();
    if (head.statusCode === 200) return;
    const post = await destination.send('POST', `/v2/${repository}/blobs/uploads/`, push, {}, 202);
    await post.body.dump();
    const location = header(post, 'location');
    const download = await source.send('GET', `/v2/${image.repository}/blobs/${digest}`, pull, {}, 200);
    const hash = createHash('sha256');
    const body = Readable.from(
      (async function* () {
        for await (const chunk of download.body as AsyncIterable<Buffer>) {
          hash.update(chunk);
          yield chunk;
        }
      })(),
    );
    const put = await destination.send(
      'PUT',
      `${location}${location.includes('?') ? '&' : '?'}digest=${digest}`,
      push,
      { 'content-type': 'application/octet-stream' },
      201,
      body,
    );
    await put.body.dump();
    if (`sha256:${hash.digest('hex')}` !== digest) throw new Error(`blob ${digest} did not verify`);
  };
  const entries = [...blobs.entries()];
  // The first blob alone: it earns the destination token before streamed bodies (which cannot be resent) go out.
  await copyBlob(entries[0] as [string, number]);
  let next = 1;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < entries.length) await copyBlob(entries[next++] as [string, number]);
    }),
  );
  for (const child of children) {
    const put = await destination.send(
      'PUT',
      `/v2/${repository}/manifests/${child.digest}`,
      push,
      { 'content-type': child.mediaType },
      201,
      child.bytes,
    );
    await put.body.dump();
  }
  const put = await destination.send(
    'PUT',
    `/v2/${repository}/manifests/${image.tag}`,
    push,
    { 'content-type': top.mediaType },
    201,
    top.bytes,
  );
  await put.body.dump();
  const digest = `sha256:${createHash('sha256').update(top.bytes).digest('hex')}`;
  if (digest !== image.digest) throw new Error(`copied digest ${digest} != ${image.digest}`);
}

export async function loadWriteClient(id: WriteClientId): Promise<WriteClient> {
  switch (id) {
    case 'raw-undici':
      return rawUndiciWriteClient();
    case 'skopeo':
      return skopeoWriteClient();
    case 'regkit-cli':
      return regkitCliWriteClient();
    default:
      return regkitWriteClient(id.slice('regkit-'.length) as 'fetch' | 'undici' | 'axios');
  }
}
