import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { findTool } from './harness';

/** The machine a run came from, recorded with its results. */
export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly kernel: string;
  readonly node: string;
  /** The repository commit measured (`-dirty` when the work tree had changes). */
  readonly commit: string;
  readonly registry: string;
  readonly skopeo: string;
  /** 1/5/15-minute load averages when the run started and ended: other work on the machine skews results. */
  loadStart: readonly number[];
  loadEnd?: readonly number[];
  /** Package versions of the clients under test. */
  readonly clientVersions: Readonly<Record<string, string>>;
}

function toolVersion(tool: 'docker-registry' | 'skopeo'): string {
  const path = findTool(tool);
  if (path === undefined) return 'not installed';
  try {
    return execFileSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
  } catch {
    return 'unknown';
  }
}

function gitCommit(): string {
  const cwd = new URL('../..', import.meta.url);
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8', timeout: 10_000 }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd, encoding: 'utf8', timeout: 10_000 }).trim() !== '';
    return dirty ? `${commit}-dirty` : commit;
  } catch {
    return 'unknown';
  }
}

function packageVersion(name: string): string {
  try {
    const url = new URL(`../node_modules/${name}/package.json`, import.meta.url);
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function machineInfo(): MachineInfo {
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    kernel: release(),
    node: process.version,
    commit: gitCommit(),
    registry: toolVersion('docker-registry'),
    skopeo: toolVersion('skopeo'),
    loadStart: loadavg().map((value) => Math.round(value * 100) / 100),
    clientVersions: Object.fromEntries(
      [
        ['undici', 'undici'],
        ['tinybench', 'tinybench'],
        ['@snyk/docker-registry-v2-client', '@snyk/docker-registry-v2-client'],
        ['docker-registry-client', 'docker-registry-client'],
        // axios is the transport package's dependency, not the bench's.
        ['axios', '@regkit/transport-axios/node_modules/axios'],
      ].map(([name, path]) => [name as string, packageVersion(path as string)]),
    ),
  };
}
