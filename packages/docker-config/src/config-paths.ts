import { homedir } from 'node:os';
import { join } from 'node:path';

/** An environment to read locations from: `process.env` or a test's own. */
export type Environment = Readonly<Record<string, string | undefined>>;

function home(env: Environment): string {
  return env.HOME || homedir();
}

/** Docker's client config: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigPath(env: Environment): string {
  return join(env.DOCKER_CONFIG || join(home(env), '.docker'), 'config.json');
}

/**
 * The containers (podman, buildah, skopeo) auth files, in their lookup
 * order: `REGISTRY_AUTH_FILE` alone when it is set (it replaces the
 * defaults), else `$XDG_RUNTIME_DIR/containers/auth.json` (podman's primary
 * file on Linux) and then `${XDG_CONFIG_HOME:-~/.config}/containers/auth.json`.
 */
export function containersAuthFiles(env: Environment): string[] {
  if (env.REGISTRY_AUTH_FILE) return [env.REGISTRY_AUTH_FILE];
  const files: string[] = [];
  if (env.XDG_RUNTIME_DIR) files.push(join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json'));
  files.push(join(env.XDG_CONFIG_HOME || join(home(env), '.config'), 'containers', 'auth.json'));
  return files;
}
