import { InvalidOptionError } from '@regkit/core';
import { assertKnownOptions, type CredentialProvider, type Credentials, type GetCredentialsOptions } from '@regkit/core/spec';
import { dockerKeyFor, findAuthEntry, findCredHelper, registryKeys } from './auth-key';
import { CONFIG_OPTION_PATH, type DockerConfigFile, readConfigFile, validateConfig } from './config-file';
import { containersAuthFiles, dockerConfigPath, type Environment } from './config-paths';
import { type HelperRunOptions, helperErase, helperGet, helperStore } from './credential-helper';
import { decodeEntry, encodeAuth } from './decode-entry';
import { updateConfigFile } from './write-config';

/** The longest delay `setTimeout` honours (2³¹−1 ms). */
const MAX_TIMER_MS = 2_147_483_647;

const PACKAGE = '@regkit/docker-config';
const DEFAULT_HELPER_TIMEOUT_MS = 10_000;
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
// `host[:port]`: a DNS name, an IPv4 address or a bracketed IPv6 address.
const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;

/** Options of {@link createDockerConfigCredentials}. All are optional. */
export interface DockerConfigCredentialsOptions {
  /**
   * A Docker `config.json` to use instead of `$DOCKER_CONFIG/config.json` or
   * `~/.docker/config.json`. It is also where `login` and `logout` write.
   * Giving it (or `config`) turns off the containers auth files unless
   * `authFiles` names some.
   */
  readonly configPath?: string;
  /**
   * A parsed config object to read instead of any file (read-only: `login`
   * and `logout` need a file). Not together with `configPath`.
   */
  readonly config?: DockerConfigFile;
  /**
   * containers auth files (podman's `auth.json` format), searched after the
   * Docker config, in order. Default: `REGISTRY_AUTH_FILE` when set, else
   * `$XDG_RUNTIME_DIR/containers/auth.json` and
   * `${XDG_CONFIG_HOME:-~/.config}/containers/auth.json`; none when
   * `configPath` or `config` is given. `[]` turns them off.
   */
  readonly authFiles?: readonly string[];
  /**
   * The environment locations and helpers come from (`DOCKER_CONFIG`,
   * `REGISTRY_AUTH_FILE`, `XDG_*`, `HOME`, and `PATH` to find
   * `docker-credential-*`). Helpers run with it as their environment.
   * Default `process.env`, read at each lookup.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** How long a credential helper may take before it is stopped, in milliseconds. Default 10 000. */
  readonly helperTimeoutMs?: number;
}

/** A username and password to log in with. */
export interface LoginCredentials {
  /** The username. Must not contain `:` or control characters. */
  readonly username: string;
  /** The password or access token. Must not contain control characters. */
  readonly password: string;
}

/** What {@link LoginOptions.verify} is asked to check. */
export interface VerifyRequest extends LoginCredentials {
  /** The registry, as given to `login`. */
  readonly host: string;
  /** Aborts the check. */
  readonly signal: AbortSignal | undefined;
}

/** Options of {@link DockerConfigCredentials.login}. */
export interface LoginOptions {
  /**
   * Checks the credentials against the registry and rejects when it refuses
   * them; nothing is written until it resolves. `verifyWithRegistry` builds
   * one from core's `Registry` and an authenticator factory.
   */
  readonly verify: (request: VerifyRequest) => Promise<void>;
  /** Aborts the login (the check or a credential helper). */
  readonly signal?: AbortSignal;
}

/** Where `login` stored the credentials: a credential helper or a config file. */
export type LoginResult = StoredInHelper | StoredInFile;

/** `login` stored the credentials with a credential helper. */
export interface StoredInHelper {
  /** The helper's name: `pass` for `docker-credential-pass`. */
  readonly helper: string;
}

/** `login` stored the credentials in the `auths` of a config file. */
export interface StoredInFile {
  /** The config file's path. */
  readonly file: string;
}

/** Options of {@link DockerConfigCredentials.logout}. */
export interface LogoutOptions {
  /** Aborts a credential helper's `erase`. */
  readonly signal?: AbortSignal;
}

/**
 * A {@link CredentialProvider} over the Docker and containers config files,
 * with `docker login` and `docker logout` counterparts.
 */
export interface DockerConfigCredentials extends CredentialProvider {
  /**
   * Verifies credentials with `options.verify`, then stores them where
   * `docker login` would: the registry's `credHelpers` helper, else the
   * `credsStore` helper, else `auths` in the Docker config file (base64
   * `auth`, file mode 0600, replaced atomically, every other field kept).
   * Docker Hub is stored under `https://index.docker.io/v1/`.
   *
   * @param host - `host[:port]`; `docker.io`, `index.docker.io` and `registry-1.docker.io` all mean Docker Hub.
   * @returns where the credentials went: `{ helper: 'pass' }` or `{ file: '/home/me/.docker/config.json' }`.
   */
  login(host: string, credentials: LoginCredentials, options: LoginOptions): Promise<LoginResult>;
  /**
   * Removes a registry's credentials like `docker logout`: the helper's
   * `erase` when one is configured, and the registry's `auths` entries in the
   * Docker config file. Resolves false when there was nothing to remove.
   */
  logout(host: string, options?: LogoutOptions): Promise<boolean>;
}

interface Source {
  readonly path: string;
  load(): Promise<DockerConfigFile | undefined>;
}

function fail(option: string, message: string): never {
  throw new InvalidOptionError(option, `${PACKAGE}: ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function validateOptions(options: unknown): DockerConfigCredentialsOptions {
  if (options === undefined) return {};
  if (!isRecord(options)) fail('options', 'options must be an object');
  assertKnownOptions(PACKAGE, 'createDockerConfigCredentials()', options, [
    'configPath',
    'config',
    'authFiles',
    'env',
    'helperTimeoutMs',
  ]);
  const { configPath, config, authFiles, env, helperTimeoutMs } = options;
  if (configPath !== undefined && (typeof configPath !== 'string' || configPath === '')) {
    fail('configPath', 'configPath must be a non-empty path');
  }
  if (config !== undefined) {
    if (configPath !== undefined) fail('config', 'give configPath or config, not both');
    if (!isRecord(config)) fail('config', 'config must be a parsed config object');
    validateConfig(config, CONFIG_OPTION_PATH);
  }
  if (authFiles !== undefined) {
    if (!Array.isArray(authFiles) || !authFiles.every((file) => typeof file === 'string' && file !== '')) {
      fail('authFiles', 'authFiles must be an array of non-empty paths');
    }
  }
  if (env !== undefined && !isRecord(env)) fail('env', 'env must be an object of environment variables');
  if (
    helperTimeoutMs !== undefined &&
    (typeof helperTimeoutMs !== 'number' ||
      !Number.isFinite(helperTimeoutMs) ||
      helperTimeoutMs <= 0 ||
      // The platform fires a longer timer at once, which would stop every helper immediately.
      helperTimeoutMs > MAX_TIMER_MS)
  ) {
    fail('helperTimeoutMs', `helperTimeoutMs must be a positive number of milliseconds, at most ${MAX_TIMER_MS}`);
  }
  return options as DockerConfigCredentialsOptions;
}

function checkHost(host: unknown): string {
  if (typeof host !== 'string' || !HOST.test(host)) {
    fail('host', 'host must be a registry host[:port] such as "ghcr.io" or "127.0.0.1:5000", without scheme or path');
  }
  return host;
}

function checkLoginCredentials(credentials: unknown): LoginCredentials {
  if (!isRecord(credentials)) fail('credentials', 'credentials must be an object with username and password');
  assertKnownOptions(PACKAGE, 'login()', credentials, ['username', 'password']);
  const { username, password } = credentials;
  if (typeof username !== 'string' || username === '') fail('username', 'username must be a non-empty string');
  if (username.includes(':') || CONTROL.test(username)) fail('username', 'username must not contain ":" or control characters');
  if (typeof password !== 'string' || password === '') fail('password', 'password must be a non-empty string');
  if (CONTROL.test(password)) fail('password', 'password must not contain control characters');
  return { username, password };
}

function checkSignal(signal: unknown): void {
  if (signal !== undefined && !(signal instanceof AbortSignal)) fail('signal', 'signal must be an AbortSignal');
}

function fileSource(path: string): Source {
  return { path, load: async () => readConfigFile(path) };
}

/**
 * Creates a credential provider that finds registry credentials the way
 * Docker and podman do, for `createTokenAuthenticator({ credentials })` and
 * `createBasicAuthenticator({ credentials })`.
 *
 * Lookup, for each `getCredentials(host, { repository })`:
 * 1. the Docker config (`$DOCKER_CONFIG/config.json`, else
 *    `~/.docker/config.json`, or `configPath` / `config`), then each
 *    containers auth file (`authFiles`); the first file that yields
 *    credentials wins, and a missing file is skipped;
 * 2. in a file: the helper `credHelpers` names for the host; else the
 *    `credsStore` helper (which then holds all of the file's credentials,
 *    as in Docker); else `auths`, where podman's namespaced keys
 *    (`quay.io/org/repo`) that cover the repository win over the registry's
 *    own key, most specific first;
 * 3. keys are compared as Docker compares them: scheme and path of URL keys
 *    dropped (`https://ghcr.io/v1/` is `ghcr.io`), host case ignored, and
 *    `docker.io`, `index.docker.io`, `registry-1.docker.io` and
 *    `https://index.docker.io/v1/` all naming Docker Hub.
 *
 * Nothing is cached: each lookup reads the files again, so a `login` in
 * another process is seen at once.
 *
 * @throws {InvalidOptionError} at once, for unknown or invalid options.
 *
 * @example Docker Hub with the credentials of docker login
 * ```ts
 * import { Registry } from '@regkit/core';
 * import { createTokenAuthenticator } from '@regkit/auth-token';
 * import { createDockerConfigCredentials } from '@regkit/docker-config';
 *
 * const registry = new Registry({
 *   domain: 'docker.io',
 *   authenticator: createTokenAuthenticator({ credentials: createDockerConfigCredentials() }),
 * });
 * ```
 */
export function createDockerConfigCredentials(options?: DockerConfigCredentialsOptions): DockerConfigCredentials {
  const validated = validateOptions(options);
  const helperTimeoutMs = validated.helperTimeoutMs ?? DEFAULT_HELPER_TIMEOUT_MS;
  const environment = (): Environment => validated.env ?? process.env;
  const explicit = validated.configPath !== undefined || validated.config !== undefined;
  const writablePath = () => validated.configPath ?? dockerConfigPath(environment());

  const sources = (): Source[] => {
    const env = environment();
    const list: Source[] = [];
    const { config } = validated;
    if (config !== undefined) list.push({ path: CONFIG_OPTION_PATH, load: async () => config });
    else list.push(fileSource(validated.configPath ?? dockerConfigPath(env)));
    const authFiles = validated.authFiles ?? (explicit ? [] : containersAuthFiles(env));
    for (const file of authFiles) list.push(fileSource(file));
    return list;
  };

  const helperOptions = (signal: AbortSignal | undefined): HelperRunOptions => ({
    env: environment(),
    timeoutMs: helperTimeoutMs,
    signal,
  });

  const helperFor = (config: DockerConfigFile | undefined, host: string): string | undefined =>
    findCredHelper(config?.credHelpers, host) ?? (config?.credsStore ? config.credsStore : undefined);

  const getCredentials = async (host: string, lookup: GetCredentialsOptions = {}): Promise<Credentials | undefined> => {
    checkHost(host);
    if (!isRecord(lookup)) fail('options', 'getCredentials options must be an object');
    const { repository, signal } = lookup as GetCredentialsOptions;
    if (repository !== undefined && typeof repository !== 'string') fail('repository', 'repository must be a string');
    checkSignal(signal);
    for (const source of sources()) {
      signal?.throwIfAborted();
      const config = await source.load();
      if (config === undefined) continue;
      const helper = helperFor(config, host);
      if (helper !== undefined) {
        const found = await helperGet(helper, dockerKeyFor(host), helperOptions(signal));
        if (found !== undefined) return found;
        continue;
      }
      const match = findAuthEntry(config.auths, host, repository);
      const found = match === undefined ? undefined : decodeEntry(match.entry, match.key, source.path);
      if (found !== undefined) return found;
    }
    return undefined;
  };

  const login: DockerConfigCredentials['login'] = async (host, credentials, loginOptions) => {
    checkHost(host);
    const { username, password } = checkLoginCredentials(credentials);
    if (!isRecord(loginOptions)) fail('options', 'login needs options with a verify function');
    assertKnownOptions(PACKAGE, 'login()', loginOptions, ['verify', 'signal']);
    const { verify, signal } = loginOptions as Partial<LoginOptions>;
    if (typeof verify !== 'function') fail('verify', 'login needs a verify function (see verifyWithRegistry)');
    checkSignal(signal);
    if (validated.config !== undefined)
      fail('config', 'login writes a file; create the provider with configPath instead of config');
    const path = writablePath();
    // Refuse a broken file before asking the registry anything.
    const config = await readConfigFile(path);
    signal?.throwIfAborted();
    await verify({ host, username, password, signal });
    signal?.throwIfAborted();
    const key = dockerKeyFor(host);
    const helper = helperFor(config, host);
    if (helper !== undefined) {
      await helperStore(helper, { serverUrl: key, username, secret: password }, helperOptions(signal));
      // Like Docker: no plaintext copy left in the file, and an empty entry marking the login.
      await updateConfigFile(path, (current) => {
        const auths = isRecord(current.auths) ? current.auths : {};
        for (const old of registryKeys(auths, host)) delete auths[old];
        auths[key] = {};
        current.auths = auths;
        return true;
      });
      return { helper };
    }
    await updateConfigFile(path, (current) => {
      const auths = isRecord(current.auths) ? current.auths : {};
      for (const old of registryKeys(auths, host)) delete auths[old];
      auths[key] = { auth: encodeAuth(username, password) };
      current.auths = auths;
      return true;
    });
    return { file: path };
  };

  const logout: DockerConfigCredentials['logout'] = async (host, logoutOptions = {}) => {
    checkHost(host);
    if (!isRecord(logoutOptions)) fail('options', 'logout options must be an object');
    assertKnownOptions(PACKAGE, 'logout()', logoutOptions, ['signal']);
    const { signal } = logoutOptions as LogoutOptions;
    checkSignal(signal);
    if (validated.config !== undefined)
      fail('config', 'logout writes a file; create the provider with configPath instead of config');
    const path = writablePath();
    const config = await readConfigFile(path);
    let removed = false;
    const helper = helperFor(config, host);
    if (helper !== undefined) {
      const key = dockerKeyFor(host);
      // Helpers disagree on erasing what they do not hold (pass fails with its own message), so ask first.
      if ((await helperGet(helper, key, helperOptions(signal))) !== undefined) {
        removed = await helperErase(helper, key, helperOptions(signal));
      }
    }
    if (config !== undefined && registryKeys(config.auths, host).length > 0) {
      const changed = await updateConfigFile(path, (current) => {
        const keys = registryKeys(isRecord(current.auths) ? current.auths : undefined, host);
        for (const key of keys) delete (current.auths as Record<string, unknown>)[key];
        return keys.length > 0;
      });
      // An `{}` marker left by a helper login is not a credential of its own.
      removed ||= changed && helper === undefined;
    }
    return removed;
  };

  const describe = () => `DockerConfigCredentials`;
  return Object.freeze({
    specificationVersion: 'v1' as const,
    getCredentials,
    login,
    logout,
    toString: describe,
    toJSON: () => ({ specificationVersion: 'v1', name: 'docker-config' }),
    [Symbol.for('nodejs.util.inspect.custom')]: describe,
  });
}
