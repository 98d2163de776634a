import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// Only the tool lookup: the worker should not load the registry harness.
import { isExecutable, requireTool } from '../../../tests/integration/src/harness/tools';
import { type BenchClient, type ClientSession, mapLimited, type SessionTarget } from './client';

const GNU_TIME = '/usr/bin/time';
const RSS_MARKER = 'regkit-bench-usage:';

/**
 * skopeo 1.9 (Debian), the CLI over containers/image: one process per call.
 * Peak RSS comes from GNU time around each process when it is installed.
 * Its iterations are capped in `MAX_ITERATIONS` (jobs.ts), where the
 * orchestrator applies the cap to all rounds together.
 */
export function skopeoClient(): BenchClient {
  let peakKiB: number | undefined;
  let cpuMs = 0;
  return {
    id: 'skopeo',
    unsupported: { T5: 'a CLI: 10,000 HEADs would be 10,000 processes (T3 shows the per-reference cost)' },
    notes: {
      T1: 'inspect --raw; probes https first (--tls-verify=false), then pings /v2/; process start-up included',
      T2: 'list-tags; probes https first, then pings /v2/',
      T3: 'inspect --raw per tag (GET, one process each, 8 at a time); digest = sha256 of the output',
      T4: 'copy of the one-layer image to a dir: on tmpfs (manifest + config + layer, all verified)',
    },
    childPeakRssKiB: () => peakKiB,
    childCpuMs: () => cpuMs,
    open: async (target) =>
      new SkopeoSession(target, (usage) => {
        peakKiB = Math.max(peakKiB ?? 0, usage.maxRssKiB);
        cpuMs += usage.cpuMs;
      }),
  };
}

class SkopeoSession implements ClientSession {
  readonly #skopeo = requireTool('skopeo');
  readonly #time = isExecutable(GNU_TIME) ? GNU_TIME : undefined;

  constructor(
    private readonly target: SessionTarget,
    private readonly onUsage: (usage: { maxRssKiB: number; cpuMs: number }) => void,
  ) {}

  async getByTag(repository: string, tag: string) {
    const bytes = await this.#run(['inspect', '--raw', '--tls-verify=false', '--no-creds', this.#ref(repository, `:${tag}`)]);
    const manifest = JSON.parse(bytes.toString('utf8')) as { manifests?: unknown[] };
    return { digest: sha256(bytes), platforms: manifest.manifests?.length ?? 1 };
  }

  async listTags(repository: string) {
    const out = await this.#run(['list-tags', '--tls-verify=false', '--no-creds', `docker://${this.target.host}/${repository}`]);
    return (JSON.parse(out.toString('utf8')) as { Tags: string[] }).Tags;
  }

  resolveMany(repository: string, references: readonly string[], concurrency: number) {
    return mapLimited(references, concurrency, async (reference) => {
      const suffix = reference.includes(':') ? `@${reference}` : `:${reference}`;
      return sha256(await this.#run(['inspect', '--raw', '--tls-verify=false', '--no-creds', this.#ref(repository, suffix)]));
    });
  }

  async downloadBlob(repository: string, digest: string, tag: string) {
    const parent = process.env.REGKIT_REGISTRY_TMPDIR ?? (isWritable('/dev/shm') ? '/dev/shm' : tmpdir());
    const directory = await mkdtemp(join(parent, 'regkit-bench-skopeo-'));
    try {
      await this.#run([
        '--insecure-policy',
        'copy',
        '--quiet',
        '--src-tls-verify=false',
        '--src-no-creds',
        this.#ref(repository, `:${tag}`),
        `dir:${directory}`,
      ]);
      // dir: names each blob by its hex digest; skopeo verified it while copying.
      return (await stat(join(directory, digest.slice('sha256:'.length)))).size;
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  }

  async close() {}

  #ref(repository: string, suffix: string): string {
    return `docker://${this.target.host}/${repository}${suffix}`;
  }

  #run(args: string[]): Promise<Buffer> {
    // GNU time: peak RSS (KiB), user and system seconds of the skopeo process.
    const [file, argv] = this.#time ? [this.#time, ['-f', `${RSS_MARKER}%M %U %S`, this.#skopeo, ...args]] : [this.#skopeo, args];
    return new Promise((resolve, reject) => {
      execFile(
        file,
        argv,
        {
          encoding: 'buffer',
          maxBuffer: 64 * 1024 * 1024,
          timeout: 300_000,
          env: { ...process.env, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' },
        },
        (error, stdout, stderr) => {
          const text = stderr.toString('utf8');
          const at = text.lastIndexOf(RSS_MARKER);
          if (at >= 0) {
            const [rss, user, system] = text
              .slice(at + RSS_MARKER.length)
              .trim()
              .split(/\s+/)
              .map(Number);
            this.onUsage({ maxRssKiB: rss ?? 0, cpuMs: ((user ?? 0) + (system ?? 0)) * 1000 });
          }
          if (error) reject(new Error(`skopeo ${args.find((a) => !a.startsWith('-'))} failed: ${text.slice(0, 1_000)}`));
          else resolve(stdout);
        },
      );
    });
  }
}

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function isWritable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
