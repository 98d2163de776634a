import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type AccessMap, startTokenServer, type TokenServer, type TokenServerOptions } from '@regkit/testing/token-server';
import { pickRegistryPort, releaseRegistryPort } from './ports';
import type { RegistryConnection } from './push-client';
import { requireTool } from './tools';
import { ANONYMOUS_ACCESS, DEFAULT_USERS, type HarnessUser } from './users';

const execFileAsync = promisify(execFile);

/** How the registry authenticates callers. */
export type RegistryMode = 'open' | 'basic' | 'token';

/** Options for {@link startRegistry}. */
export interface StartRegistryOptions {
  /** `open` (no auth), `basic` (htpasswd, bcrypt) or `token` (Docker token auth against a loopback token server). */
  readonly mode: RegistryMode;
  /** Users for basic and token modes. Default: {@link DEFAULT_USERS} (admin, reader). */
  readonly users?: readonly HarnessUser[];
  /** Token mode: what anonymous callers get. Default {@link ANONYMOUS_ACCESS} (pull on public repositories). */
  readonly anonymous?: AccessMap | false;
  /** Token mode: extra token server options (service, issuer, expiresIn, keyHint, clock, …). */
  readonly tokenServer?: Omit<TokenServerOptions, 'users' | 'anonymous' | 'rootCertFile'>;
  /** `storage.delete.enabled`. Default true. */
  readonly deleteEnabled?: boolean;
  /** `catalog.maxentries` (the largest `n` the catalog accepts). Default: the registry's own (1000). */
  readonly catalogMaxEntries?: number;
  /** Registry log level. Default `warn`: request logging costs time while seeding. */
  readonly logLevel?: 'error' | 'warn' | 'info' | 'debug';
  /** How long to wait for `/v2/` to answer. Default 20 s. */
  readonly readyTimeoutMs?: number;
  /**
   * Parent of the registry's temp directory. Default `$REGKIT_REGISTRY_TMPDIR`,
   * else `/dev/shm` when writable, else the OS temp dir. The filesystem
   * driver fsyncs every write, so a RAM-backed directory makes seeding
   * several times faster.
   */
  readonly baseDirectory?: string;
}

/** A running registry. */
export interface RunningRegistry {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** `127.0.0.1:<port>`, as in image references. */
  readonly host: string;
  readonly port: number;
  readonly mode: RegistryMode;
  /** The users basic/token modes accept (empty in open mode). */
  readonly users: readonly HarnessUser[];
  /** The token server (token mode only). */
  readonly tokenServer: TokenServer | undefined;
  /** Directory with the config, htpasswd, certificate and storage. Removed by `stop()`. */
  readonly directory: string;
  /** The last registry log lines (stdout and stderr), for failure messages. */
  logs(): string;
  /**
   * Stops and starts the registry process on the same port and storage. It
   * re-reads its config and `rootcertbundle`, so call this after
   * `tokenServer.revoke()` to make the registry trust only the new key.
   */
  restart(): Promise<void>;
  /** Stops the registry (and token server) and deletes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

const MAX_LOG_CHARS = 64 * 1024;
const MAX_PORT_ATTEMPTS = 8;

/** Every child still running, so a crashed test run does not leave registries behind. */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of liveChildren) child.kill('SIGKILL');
  });
}

/**
 * Starts a distribution 2.8 registry (`docker-registry serve`) on a free
 * loopback port with filesystem storage in a fresh temp directory, deletes
 * enabled, and the auth `mode` asks for. Resolves once `GET /v2/` answers.
 *
 * @example
 * ```ts
 * const registry = await startRegistry({ mode: 'token' });
 * const response = await fetch(`${registry.origin}/v2/`); // 401 with a Bearer challenge
 * await registry.stop();
 * ```
 */
export async function startRegistry(options: StartRegistryOptions): Promise<RunningRegistry> {
  const binary = requireTool('docker-registry');
  const mode = options.mode;
  if (mode !== 'open' && mode !== 'basic' && mode !== 'token')
    throw new TypeError(`startRegistry: unknown mode "${String(mode)}"`);
  const users = mode === 'open' ? [] : (options.users ?? Object.values(DEFAULT_USERS));
  const directory = await mkdtemp(join(options.baseDirectory ?? defaultBaseDirectory(), `regkit-registry-${mode}-`));
  let tokenServer: TokenServer | undefined;
  try {
    await mkdir(join(directory, 'data'));
    let authSection = '';
    if (mode === 'basic') {
      const path = join(directory, 'htpasswd');
      await writeFile(path, await htpasswdEntries(users), { mode: 0o600 });
      authSection = yaml({ auth: { htpasswd: { realm: 'basic-realm', path } } });
    } else if (mode === 'token') {
      const rootCertFile = join(directory, 'token-root.pem');
      tokenServer = await startTokenServer({
        ...options.tokenServer,
        users,
        anonymous: options.anonymous ?? ANONYMOUS_ACCESS,
        rootCertFile,
      });
      authSection = yaml({
        auth: {
          token: {
            realm: tokenServer.realm,
            service: tokenServer.service,
            issuer: tokenServer.issuer,
            rootcertbundle: rootCertFile,
            autoredirect: false,
          },
        },
      });
    }

    let lastError: unknown;
    for (let attempt = 0; attempt < MAX_PORT_ATTEMPTS; attempt++) {
      const port = await pickRegistryPort();
      const configPath = join(directory, 'config.yml');
      await writeFile(configPath, registryConfig({ options, directory, port }) + authSection);
      const registryProcess = new RegistryProcess(binary, configPath, port);
      try {
        await registryProcess.start(options.readyTimeoutMs ?? 20_000);
      } catch (error) {
        releaseRegistryPort(port);
        lastError = error;
        if (error instanceof PortInUseError) continue;
        throw error;
      }
      return handle({ registryProcess, port, mode, users, tokenServer, directory });
    }
    throw lastError;
  } catch (error) {
    await tokenServer?.close();
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
}

function defaultBaseDirectory(): string {
  const fromEnv = process.env.REGKIT_REGISTRY_TMPDIR;
  if (fromEnv) return fromEnv;
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

/** Plain-data connection info for a running registry (safe to pass through vitest `provide`). */
export function connectionOf(registry: RunningRegistry): RegistryConnection {
  return {
    origin: registry.origin,
    mode: registry.mode,
    token: registry.tokenServer ? { realm: registry.tokenServer.realm, service: registry.tokenServer.service } : undefined,
  };
}

function handle(parts: {
  registryProcess: RegistryProcess;
  port: number;
  mode: RegistryMode;
  users: readonly HarnessUser[];
  tokenServer: TokenServer | undefined;
  directory: string;
}): RunningRegistry {
  const { registryProcess, port, tokenServer, directory } = parts;
  let stopped: Promise<void> | undefined;
  return {
    origin: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    port,
    mode: parts.mode,
    users: parts.users,
    tokenServer,
    directory,
    logs: () => registryProcess.logs,
    async restart() {
      await registryProcess.stop();
      await registryProcess.start(20_000);
    },
    stop() {
      stopped ??= (async () => {
        await registryProcess.stop();
        releaseRegistryPort(port);
        await tokenServer?.close();
        await rm(directory, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}

class PortInUseError extends Error {}

/** One `docker-registry serve` child process, restartable. */
class RegistryProcess {
  logs = '';
  private child: ChildProcess | undefined;

  constructor(
    private readonly binary: string,
    private readonly configPath: string,
    private readonly port: number,
  ) {}

  async start(readyTimeoutMs: number): Promise<void> {
    installExitHook();
    const child = spawn(this.binary, ['serve', this.configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    liveChildren.add(child);
    const append = (chunk: Buffer) => {
      this.logs = (this.logs + chunk.toString('utf8')).slice(-MAX_LOG_CHARS);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    const exited = new Promise<number | null>((resolve) => {
      child.once('exit', (code) => {
        liveChildren.delete(child);
        resolve(code);
      });
      child.once('error', (error) => {
        append(Buffer.from(String(error)));
        liveChildren.delete(child);
        resolve(-1);
      });
    });
    const deadline = Date.now() + readyTimeoutMs;
    const url = `http://127.0.0.1:${this.port}/v2/`;
    while (Date.now() < deadline) {
      const outcome = await Promise.race([exited.then((code) => ({ exited: code })), probe(url)]);
      if (typeof outcome === 'object' && outcome !== null && 'exited' in outcome) {
        this.child = undefined;
        if (/address already in use/i.test(this.logs)) throw new PortInUseError(`port ${this.port} is taken`);
        throw new Error(`docker-registry exited with code ${String(outcome.exited)} before answering ${url}:\n${this.logs}`);
      }
      if (outcome === true) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await this.stop();
    throw new Error(`docker-registry did not answer ${url} within ${readyTimeoutMs} ms:\n${this.logs}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

/** True once the registry answers `/v2/` at all (200 open, 401 with auth). */
async function probe(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await response.body?.cancel();
    return response.status === 200 || response.status === 401;
  } catch {
    return false;
  }
}

async function htpasswdEntries(users: readonly HarnessUser[]): Promise<string> {
  const htpasswd = requireTool('htpasswd');
  const lines: string[] = [];
  for (const user of users) {
    // -B: bcrypt, the only hash distribution accepts; -b/-n: password from argv, print instead of
    // writing a file. -C 4 (the lowest cost) because the registry checks the hash on every request,
    // and seeding makes about 1,500 of them.
    const { stdout } = await execFileAsync(htpasswd, ['-Bbn', '-C', '4', user.username, user.password]);
    lines.push(stdout.trim());
  }
  return `${lines.join('\n')}\n`;
}

function registryConfig(input: { options: StartRegistryOptions; directory: string; port: number }): string {
  const { options, directory, port } = input;
  return yaml({
    version: '0.1',
    log: { level: options.logLevel ?? 'warn', formatter: 'text', accesslog: { disabled: true } },
    storage: {
      filesystem: { rootdirectory: join(directory, 'data') },
      delete: { enabled: options.deleteEnabled ?? true },
      cache: { blobdescriptor: 'inmemory' },
      maintenance: { uploadpurging: { enabled: false } },
    },
    http: { addr: `127.0.0.1:${port}`, secret: randomBytes(16).toString('hex') },
    ...(options.catalogMaxEntries !== undefined ? { catalog: { maxentries: options.catalogMaxEntries } } : {}),
  });
}

type YamlValue = string | number | boolean | { readonly [key: string]: YamlValue };

/**
 * Block-style YAML for nested maps of scalars. Strings are written as JSON
 * strings, which YAML reads back verbatim, so paths need no escaping rules.
 */
function yaml(value: { readonly [key: string]: YamlValue }, indent = ''): string {
  let out = '';
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === 'object') out += `${indent}${key}:\n${yaml(item, `${indent}  `)}`;
    else out += `${indent}${key}: ${typeof item === 'string' ? JSON.stringify(item) : String(item)}\n`;
  }
  return out;
}
