import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pickRegistryPort, releaseRegistryPort } from './ports';
import { findExecutable } from './tools';

/** Options for {@link startTinyproxy}. */
export interface StartTinyproxyOptions {
  /**
   * Ports a `CONNECT` tunnel may reach (tinyproxy's `ConnectPort`): the
   * registry's, and the token server's in token mode. Without any, tinyproxy
   * allows every port.
   */
  readonly connectPorts?: readonly number[];
  /** Credentials the proxy demands (tinyproxy's `BasicAuth`); without them it answers 407. */
  readonly basicAuth?: { readonly username: string; readonly password: string };
  /** How long to wait for the port to accept connections. Default 10 s. */
  readonly readyTimeoutMs?: number;
}

/** A running tinyproxy. */
export interface RunningTinyproxy {
  /** `http://127.0.0.1:<port>`, what a transport's `httpProxy` takes. */
  readonly url: string;
  readonly port: number;
  /** Holds the config and the log. Removed by `stop()`. */
  readonly directory: string;
  /**
   * The request lines tinyproxy logged so far, in order: `GET http://127.0.0.1:5123/v2/ HTTP/1.1`
   * for forwarded requests, `CONNECT 127.0.0.1:5123 HTTP/1.1` for tunnels.
   */
  requests(): Promise<string[]>;
  /** The whole log, for failure messages. */
  log(): Promise<string>;
  /** Stops tinyproxy and deletes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

/** Whether the proxy tests can run: tinyproxy's path, or why not. */
export type TinyproxyAvailability =
  | { readonly available: true; readonly path: string }
  | { readonly available: false; readonly reason: string };

const ENV_OVERRIDE = 'REGKIT_TINYPROXY_BIN';
const MAX_PORT_ATTEMPTS = 8;
const REQUEST_LINE = /Request \(file descriptor \d+\): (.*)$/;

/** Every tinyproxy still running, so a crashed test run leaves none behind. */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Absolute path of tinyproxy (`$REGKIT_TINYPROXY_BIN`, else PATH), or undefined. */
export function findTinyproxy(): string | undefined {
  return findExecutable('tinyproxy', ENV_OVERRIDE);
}

/**
 * Same rule as the registry: without tinyproxy the proxy tests are skipped
 * with a warning, except in CI (`CI` set), where this throws.
 */
export function tinyproxyAvailability(): TinyproxyAvailability {
  const path = findTinyproxy();
  if (path !== undefined) return { available: true, path };
  const reason =
    `tinyproxy not found (looked at $${ENV_OVERRIDE} and on PATH). Install it with "apt-get install tinyproxy" ` +
    `or point $${ENV_OVERRIDE} at it.`;
  if (process.env.CI) throw new Error(reason);
  console.warn(`[regkit integration] ${reason} Proxy tests are SKIPPED.`);
  return { available: false, reason };
}

/**
 * Starts tinyproxy in the foreground on a free loopback port, accepting
 * clients from 127.0.0.1 only and logging every request line to a file in
 * its temp directory. Resolves once the port accepts connections.
 *
 * @example
 * ```ts
 * const proxy = await startTinyproxy({ connectPorts: [registry.port] });
 * const transport = createUndiciTransport({ httpProxy: proxy.url });
 * // … requests …
 * expect((await proxy.requests()).some((line) => line.startsWith('CONNECT '))).toBe(true);
 * await proxy.stop();
 * ```
 */
export async function startTinyproxy(options: StartTinyproxyOptions = {}): Promise<RunningTinyproxy> {
  const availability = findTinyproxy();
  if (availability === undefined) throw new Error(`tinyproxy not found (looked at $${ENV_OVERRIDE} and on PATH)`);
  const { basicAuth } = options;
  if (basicAuth && !/^[\w.-]+$/.test(`${basicAuth.username}${basicAuth.password}`)) {
    throw new TypeError('startTinyproxy: basicAuth username and password must be plain word characters');
  }
  const directory = await mkdtemp(join(tmpdir(), 'regkit-tinyproxy-'));
  const logFile = join(directory, 'tinyproxy.log');
  let lastError: unknown;
  for (let attempt = 0; attempt < MAX_PORT_ATTEMPTS; attempt++) {
    const port = await pickRegistryPort();
    const configFile = join(directory, 'tinyproxy.conf');
    await writeFile(configFile, config({ port, logFile, options }));
    const child = spawn(availability, ['-d', '-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    installExitHook();
    liveChildren.add(child);
    let output = '';
    const append = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-16_384);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => {
        liveChildren.delete(child);
        resolve();
      });
      child.once('error', (error) => {
        append(Buffer.from(String(error)));
        liveChildren.delete(child);
        resolve();
      });
    });
    const ready = await waitForPort(port, exited, options.readyTimeoutMs ?? 10_000);
    if (ready) return handle({ child, exited, port, directory, logFile });
    child.kill('SIGKILL');
    await exited;
    releaseRegistryPort(port);
    const log = await readFile(logFile, 'utf8').catch(() => '');
    lastError = new Error(`tinyproxy did not listen on 127.0.0.1:${port}:\n${output}\n${log}`);
    // Another process took the port between our check and tinyproxy's bind: try another.
    if (!/listen|bind|address/i.test(`${output}${log}`)) break;
  }
  await rm(directory, { recursive: true, force: true });
  throw lastError;
}

function config(input: { port: number; logFile: string; options: StartTinyproxyOptions }): string {
  const { port, logFile, options } = input;
  const lines = [
    `Port ${port}`,
    'Listen 127.0.0.1',
    'Timeout 30',
    'Allow 127.0.0.1',
    'MaxClients 100',
    'DisableViaHeader Yes',
    // Connect level logs each client connection and its request line, nothing else.
    'LogLevel Connect',
    `LogFile ${JSON.stringify(logFile)}`,
    ...(options.connectPorts ?? []).map((connectPort) => `ConnectPort ${connectPort}`),
    ...(options.basicAuth ? [`BasicAuth ${options.basicAuth.username} ${options.basicAuth.password}`] : []),
  ];
  return `${lines.join('\n')}\n`;
}

function handle(parts: {
  child: ChildProcess;
  exited: Promise<void>;
  port: number;
  directory: string;
  logFile: string;
}): RunningTinyproxy {
  const { child, exited, port, directory, logFile } = parts;
  const log = () => readFile(logFile, 'utf8').catch(() => '');
  let stopped: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    directory,
    log,
    async requests() {
      const lines: string[] = [];
      for (const line of (await log()).split('\n')) {
        const match = REQUEST_LINE.exec(line);
        if (match?.[1] !== undefined) lines.push(match[1]);
      }
      return lines;
    },
    stop() {
      stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
          await exited;
          clearTimeout(timer);
        }
        releaseRegistryPort(port);
        await rm(directory, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}

/** True once 127.0.0.1:`port` accepts a connection; false if the process exits or time runs out. */
async function waitForPort(port: number, exited: Promise<void>, timeoutMs: number): Promise<boolean> {
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (!gone && Date.now() < deadline) {
    if (await canConnect(port)) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of liveChildren) child.kill('SIGKILL');
  });
}
