import { mkdir, open, readFile, realpath, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseConfigText } from './config-file';
import { DockerConfigError } from './errors';

// One update at a time per file within this process; across processes the rename keeps each write whole.
const queues = new Map<string, Promise<unknown>>();

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'unknown error';
}

async function resolveTarget(path: string): Promise<string> {
  // Like Docker, write through a symlinked config.json to the file it points at.
  try {
    return await realpath(path);
  } catch {
    return path;
  }
}

/** 12 random hex digits for a temporary file name (Web Crypto, loaded only when a file is written). */
function randomSuffix(): string {
  return Array.from(globalThis.crypto.getRandomValues(new Uint8Array(6)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const directory = dirname(path);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const temporary = join(directory, `.${basename(path)}.${process.pid}.${randomSuffix()}.tmp`);
  const handle = await open(temporary, 'wx', 0o600);
  try {
    try {
      await handle.chmod(0o600);
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => {});
    throw error;
  }
}

/**
 * Reads `path` (an empty object when missing), lets `change` edit the parsed
 * object in place, and, when it reports a change, writes the result with
 * 0600 permissions through a temporary file and a rename, so readers never
 * see half a file. Every field `change` does not touch is kept. A file that
 * does not parse is left alone and reported as `DockerConfigError`.
 */
export function updateConfigFile(path: string, change: (config: Record<string, unknown>) => boolean): Promise<boolean> {
  const previous = queues.get(path) ?? Promise.resolve();
  const next = previous.then(async () => {
    const target = await resolveTarget(path);
    let text: string | undefined;
    try {
      text = await readFile(target, 'utf8');
    } catch (error) {
      if (codeOf(error) !== 'ENOENT') {
        throw new DockerConfigError(`@regkit/docker-config: ${path}: cannot read the file (${codeOf(error)})`, { path });
      }
    }
    const config = text === undefined ? {} : parseConfigText(text, path);
    if (!change(config)) return false;
    try {
      await writeAtomically(target, `${JSON.stringify(config, null, '\t')}\n`);
    } catch (error) {
      throw new DockerConfigError(`@regkit/docker-config: ${path}: cannot write the file (${codeOf(error)})`, { path });
    }
    return true;
  });
  const settled = next.catch(() => {});
  queues.set(path, settled);
  void settled.then(() => {
    if (queues.get(path) === settled) queues.delete(path);
  });
  return next;
}
