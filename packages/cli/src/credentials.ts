import { usageError } from './cli-error';
import type { GlobalOptions } from './global-options';
import type { CliIo } from './io';

/** A username and password (or token) for the registry. */
export interface Credentials {
  readonly username: string;
  readonly password: string;
}

const MAX_PASSWORD_BYTES = 64 * 1024;

async function readStdin(io: CliIo): Promise<string> {
  if (io.stdin.isTTY)
    throw usageError('--password-stdin needs the password piped in', 'e.g. echo "$TOKEN" | regkit ... --password-stdin');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.byteLength;
    if (size > MAX_PASSWORD_BYTES) throw usageError('--password-stdin: more than 64 KiB on stdin');
    chunks.push(buffer);
  }
  // One trailing newline is what `echo` adds, not part of the password.
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/**
 * Credentials from `--username` + `--password-stdin`, else from
 * `REGKIT_USERNAME` + `REGKIT_PASSWORD`, else none (anonymous).
 */
export async function resolveCredentials(options: GlobalOptions, io: CliIo): Promise<Credentials | undefined> {
  const username = options.username ?? nonEmpty(io.env.REGKIT_USERNAME);
  let password: string | undefined;
  if (options.passwordStdin) password = await readStdin(io);
  else password = nonEmpty(io.env.REGKIT_PASSWORD);
  if (username === undefined && password === undefined) return undefined;
  if (username === undefined) {
    throw usageError('a password was given without a username', 'add --username USER (or set REGKIT_USERNAME)');
  }
  if (password === undefined) {
    throw usageError(`no password for ${username}`, 'pipe it in with --password-stdin (or set REGKIT_PASSWORD)');
  }
  return { username, password };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
