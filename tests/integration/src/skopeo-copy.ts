/**
 * `skopeo copy --all` between loopback registries: the independent client
 * that pushes content for regkit to copy, and that reads back what regkit
 * wrote. Credentials never reach error messages.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type Credentials, requireTool } from './harness';

const execFileAsync = promisify(execFile);

/** One side of a copy: `host/repository:tag`, with credentials or anonymous. */
export interface SkopeoEndpoint {
  readonly reference: string;
  readonly credentials?: Credentials | undefined;
}

/** Copies an image with all its platforms, digests preserved. */
export async function skopeoCopy(source: SkopeoEndpoint, destination: SkopeoEndpoint, timeoutMs = 60_000): Promise<void> {
  const creds = (side: 'src' | 'dest', credentials: Credentials | undefined) =>
    credentials ? [`--${side}-creds`, `${credentials.username}:${credentials.password}`] : [`--${side}-no-creds`];
  const args = [
    'copy',
    '--all',
    '--preserve-digests',
    '--src-tls-verify=false',
    '--dest-tls-verify=false',
    ...creds('src', source.credentials),
    ...creds('dest', destination.credentials),
    `docker://${source.reference}`,
    `docker://${destination.reference}`,
  ];
  try {
    await execFileAsync(requireTool('skopeo'), args, {
      timeout: timeoutMs,
      env: { ...process.env, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' },
    });
  } catch (error) {
    // Never echo error.message: it holds the command line, credentials included.
    const failure = error as { stderr?: unknown; code?: unknown };
    throw new Error(`skopeo copy failed (code ${String(failure.code)}): ${String(failure.stderr ?? '').trim()}`);
  }
}
