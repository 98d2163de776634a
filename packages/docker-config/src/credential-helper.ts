import type { Credentials } from '@regkit/core/spec';
import { type CredentialHelperAction, CredentialHelperError } from './errors';

/** How helpers are run. */
export interface HelperRunOptions {
  /** The helper's environment (PATH finds it; HOME, GNUPGHOME, … configure it). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Kill the helper after this long. */
  readonly timeoutMs: number;
  /** The caller's signal: aborting kills the helper and rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
  /** Values to cut out of the helper's stderr before it goes into an error. */
  readonly secrets?: readonly string[];
}

// What docker-credential-helpers print (on stdout, exit code 1) for a missing entry.
const NOT_FOUND = 'credentials not found in native keychain';
// Docker's marker for "the secret is an identity token, not a password".
const TOKEN_USERNAME = '<token>';
const MAX_STDOUT_BYTES = 1024 * 1024;
const MAX_STDERR_BYTES = 64 * 1024;
const MAX_STDERR_CHARS = 2048;

/** Stderr shortened and with anything secret-looking replaced by `[REDACTED]`. */
export function scrubStderr(stderr: string, secrets: readonly string[] = []): string {
  let text = stderr;
  for (const secret of secrets) {
    if (secret.length >= 3) text = text.split(secret).join('[REDACTED]');
  }
  text = text
    // Authorization header values.
    .replace(/\b(basic|bearer)\s+[^\s"',;]+/gi, '$1 [REDACTED]')
    // JWTs (registry tokens), whole or cut.
    .replace(/\beyJ[\w-]*(\.[\w-]*){0,2}/g, '[REDACTED]')
    // key=value / "key": "value" pairs whose key says secret.
    .replace(/((?:password|passwd|secret|token|auth|credential)s?["']?\s*[:=]\s*["']?)[^\s"',;&]+/gi, '$1[REDACTED]')
    // Long unbroken base64 or hex runs: encoded credentials or keys.
    .replace(/[A-Za-z0-9+/_-]{32,}={0,2}/g, '[REDACTED]');
  text = text.trim();
  return text.length > MAX_STDERR_CHARS ? `${text.slice(0, MAX_STDERR_CHARS)}…` : text;
}

type HelperOutcome = { readonly found: true; readonly stdout: string } | { readonly found: false };

/**
 * Runs `docker-credential-<helper> <action>` with `input` on stdin, per the
 * credential-helper protocol. Resolves stdout on success and
 * `{ found: false }` for the protocol's "credentials not found" answer.
 */
export async function runHelper(
  helper: string,
  action: CredentialHelperAction,
  input: string,
  options: HelperRunOptions,
): Promise<HelperOutcome> {
  const program = `docker-credential-${helper}`;
  const fail = (message: string, details: { exitCode?: number; stderr?: string } = {}, cause?: unknown) =>
    new CredentialHelperError(
      `@regkit/docker-config: credential helper ${program} ${action}: ${message}`,
      { helper, action, ...details },
      cause === undefined ? undefined : { cause },
    );
  // Loaded when a helper runs, not when the package loads: a command that reads credentials from
  // the file alone (or none at all) never pays for child_process at start-up.
  const { spawn } = await import('node:child_process');
  return new Promise<HelperOutcome>((resolve, reject) => {
    const { signal } = options;
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const child = spawn(program, [action], {
      env: options.env as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
      // Its own process group, so a timeout also stops what a helper script started.
      detached: process.platform !== 'win32',
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let stdoutBytes = 0;
    let stderrBytes = 0;
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      outcome();
    };
    // Gives up on the helper at once: a grandchild holding its pipes open must not keep us waiting.
    const stop = (why: () => unknown) => {
      if (settled) return;
      try {
        if (child.pid !== undefined && process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      child.stdout.destroy();
      child.stderr.destroy();
      settle(() => reject(why()));
    };
    const timer = setTimeout(
      () => stop(() => fail(`no answer within ${options.timeoutMs} ms (helperTimeoutMs); the helper was stopped`)),
      options.timeoutMs,
    );
    const onAbort = () => stop(() => signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > MAX_STDOUT_BYTES) stop(() => fail(`printed more than ${MAX_STDOUT_BYTES} bytes`));
      else stdout.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderrBytes < MAX_STDERR_BYTES) stderr.push(chunk);
      stderrBytes += chunk.length;
    });
    // A helper that exits without reading stdin makes the write fail with EPIPE; its exit code tells the story.
    child.stdin.on('error', () => {});
    child.on('error', (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === 'ENOENT'
          ? `not found; install it or fix PATH (${program} must be on PATH)`
          : `could not be started (${error.code ?? 'unknown error'})`;
      settle(() => reject(fail(reason)));
    });
    child.on('close', (code) => {
      settle(() => {
        const out = Buffer.concat(stdout).toString('utf8');
        if (code === 0) {
          resolve({ found: true, stdout: out });
          return;
        }
        // The helper's own message is on stdout, next to where secrets travel: compared, never shown.
        if (out.trim() === NOT_FOUND) {
          resolve({ found: false });
          return;
        }
        const err = scrubStderr(Buffer.concat(stderr).toString('utf8'), options.secrets);
        reject(
          fail(`exited with code ${code ?? 'unknown'}${err === '' ? '' : `: ${err}`}`, {
            ...(code === null ? {} : { exitCode: code }),
            stderr: err,
          }),
        );
      });
    });
    child.stdin.end(input);
  });
}

function notProtocol(helper: string, action: CredentialHelperAction, what: string): CredentialHelperError {
  return new CredentialHelperError(`@regkit/docker-config: credential helper docker-credential-${helper} ${action}: ${what}`, {
    helper,
    action,
  });
}

function parseJson(helper: string, action: CredentialHelperAction, stdout: string): unknown {
  try {
    return JSON.parse(stdout);
  } catch {
    // The engine's message would quote stdout.
    throw notProtocol(helper, action, 'printed output that is not the protocol JSON');
  }
}

/** `get`: the credentials stored for `serverUrl`, or `undefined`. */
export async function helperGet(helper: string, serverUrl: string, options: HelperRunOptions): Promise<Credentials | undefined> {
  const outcome = await runHelper(helper, 'get', serverUrl, options);
  if (!outcome.found) return undefined;
  const value = parseJson(helper, 'get', outcome.stdout);
  if (typeof value !== 'object' || value === null) throw notProtocol(helper, 'get', 'printed JSON that is not an object');
  const { Username: username, Secret: secret } = value as Record<string, unknown>;
  if ((username !== undefined && typeof username !== 'string') || (secret !== undefined && typeof secret !== 'string')) {
    throw notProtocol(helper, 'get', 'printed JSON whose Username or Secret is not a string');
  }
  if (!secret) return undefined;
  if (username === TOKEN_USERNAME) return { identityToken: secret };
  if (!username) return undefined;
  return { username, password: secret };
}

/** `store`: saves credentials for `serverUrl`. */
export async function helperStore(
  helper: string,
  credentials: { serverUrl: string; username: string; secret: string },
  options: HelperRunOptions,
): Promise<void> {
  const input = JSON.stringify({ ServerURL: credentials.serverUrl, Username: credentials.username, Secret: credentials.secret });
  const outcome = await runHelper(helper, 'store', input, {
    ...options,
    secrets: [...(options.secrets ?? []), credentials.secret],
  });
  if (!outcome.found) throw notProtocol(helper, 'store', 'answered "credentials not found" to a store');
}

/** `erase`: removes the credentials for `serverUrl`; false when there were none. */
export async function helperErase(helper: string, serverUrl: string, options: HelperRunOptions): Promise<boolean> {
  const outcome = await runHelper(helper, 'erase', serverUrl, options);
  return outcome.found;
}

/** `list`: server URL → username for everything the helper holds. */
export async function helperList(helper: string, options: HelperRunOptions): Promise<Record<string, string>> {
  const outcome = await runHelper(helper, 'list', '', options);
  if (!outcome.found) return {};
  const value = parseJson(helper, 'list', outcome.stdout);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw notProtocol(helper, 'list', 'printed JSON that is not an object');
  }
  const result: Record<string, string> = {};
  for (const [url, username] of Object.entries(value)) {
    if (typeof username !== 'string') throw notProtocol(helper, 'list', 'printed a username that is not a string');
    result[url] = username;
  }
  return result;
}
