import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The built binary the end-to-end tests run (`pnpm build` first). */
export const BIN = fileURLToPath(new URL('../dist/regkit.cjs', import.meta.url));

/** Fails fast with a clear reason when the CLI has not been built. */
export function assertBuilt(): void {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`pnpm -F @regkit/cli build\` before the integration tests`);
}

/** No credentials from the environment or the user's Docker and podman files unless a test sets them. */
export const ISOLATED_ENV: Readonly<Record<string, string>> = {
  REGKIT_USERNAME: '',
  REGKIT_PASSWORD: '',
  DOCKER_CONFIG: '/nonexistent/regkit-test-docker-config',
  REGISTRY_AUTH_FILE: '/nonexistent/regkit-test-auth.json',
  // Loopback registries only: a proxy set on the machine running the tests must not carry their traffic.
  HTTP_PROXY: '',
  http_proxy: '',
  HTTPS_PROXY: '',
  https_proxy: '',
  NO_PROXY: '',
  no_proxy: '',
};

/** What a `regkit` run printed and returned. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly stdoutBytes: Buffer;
}

/** Runs `regkit <args>` as a subprocess (never a shell), with stdin and extra environment. */
export function runCli(args: readonly string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, ...ISOLATED_ENV, ...options.env };
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const stdoutBytes = Buffer.concat(out);
      resolve({ code, stdout: stdoutBytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), stdoutBytes });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** A `regkit serve` subprocess and the origin it printed first. */
export interface ServeProcess {
  readonly origin: string;
  readonly host: string;
  readonly child: ChildProcess;
  readonly firstLine: string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `regkit serve <args>` and waits for its first stdout line. */
export function startServe(args: readonly string[]): Promise<ServeProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buffered = '';
    let stderr = '';
    const closed = new Promise<number | null>((done) => child.on('close', done));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.on('data', function onData(chunk: Buffer) {
      buffered += chunk.toString();
      const newline = buffered.indexOf('\n');
      if (newline === -1) return;
      child.stdout.off('data', onData);
      const firstLine = buffered.slice(0, newline);
      const origin = firstLine.startsWith('{') ? (JSON.parse(firstLine) as { origin: string }).origin : firstLine;
      resolve({
        origin,
        host: new URL(origin).host,
        child,
        firstLine,
        stop(signal = 'SIGTERM') {
          child.kill(signal);
          return closed;
        },
      });
    });
    void closed.then((code) => reject(new Error(`regkit serve exited with ${code} before printing its origin: ${stderr}`)));
  });
}

/** A loopback port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
