import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Credentials } from './push-client';
import { requireTool } from './tools';

const execFileAsync = promisify(execFile);

/** Options for the skopeo helpers. */
export interface SkopeoOptions {
  /** Log in with these; anonymous (`--no-creds`) when omitted. */
  readonly credentials?: Credentials;
  /** Kill skopeo after this long. Default 30 s. */
  readonly timeoutMs?: number;
}

/**
 * `skopeo inspect --raw`: the manifest bytes exactly as the registry serves
 * them. `reference` is `host/repository:tag` or `host/repository@digest`
 * (no `docker://`). An independent oracle for what regkit fetches.
 *
 * @example
 * ```ts
 * const bytes = await inspectRaw(`${registry.host}/library/golang:1.12.0`);
 * ```
 */
export async function inspectRaw(reference: string, options: SkopeoOptions = {}): Promise<Buffer> {
  const { stdout } = await runSkopeo(['inspect', '--raw', ...commonFlags(options), `docker://${reference}`], options, 'buffer');
  return stdout as Buffer;
}

/** `skopeo inspect --config --raw`: the config blob of the image (for a list, of the platform skopeo picks). */
export async function inspectConfigRaw(reference: string, options: SkopeoOptions = {}): Promise<Buffer> {
  const { stdout } = await runSkopeo(
    ['inspect', '--config', '--raw', ...commonFlags(options), `docker://${reference}`],
    options,
    'buffer',
  );
  return stdout as Buffer;
}

/** `skopeo list-tags`: every tag of `repository` (`host/repository`), in the registry's order. */
export async function listTags(repository: string, options: SkopeoOptions = {}): Promise<string[]> {
  const { stdout } = await runSkopeo(['list-tags', ...commonFlags(options), `docker://${repository}`], options, 'utf8');
  const parsed = JSON.parse(stdout as string) as { Tags?: string[] | null };
  return parsed.Tags ?? [];
}

function commonFlags(options: SkopeoOptions): string[] {
  // Loopback registries speak plain HTTP; --tls-verify=false lets skopeo fall back to it.
  const auth = options.credentials
    ? ['--creds', `${options.credentials.username}:${options.credentials.password}`]
    : ['--no-creds'];
  return ['--tls-verify=false', ...auth];
}

async function runSkopeo(args: string[], options: SkopeoOptions, encoding: 'buffer' | 'utf8') {
  const skopeo = requireTool('skopeo');
  try {
    return await execFileAsync(skopeo, args, {
      encoding,
      timeout: options.timeoutMs ?? 30_000,
      maxBuffer: 64 * 1024 * 1024,
      // No proxy for loopback, whatever the machine's environment says.
      env: { ...process.env, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' },
    });
  } catch (error) {
    // Never echo error.message: execFile puts the command line there, and it may hold --creds.
    const failure = error as { stderr?: unknown; code?: unknown; signal?: unknown };
    const stderr = String(failure.stderr ?? '').trim();
    throw new Error(`skopeo ${args[0]} failed (code ${String(failure.code)}, signal ${String(failure.signal)}): ${stderr}`);
  }
}
