import { readFile } from 'node:fs/promises';
import { DockerConfigError } from './errors';
import { jsonErrorPosition } from './json-error-position';

/** One entry of a config file's `auths`, as `docker login` and `podman login` write it. */
export interface DockerAuthEntry {
  /** Base64 of `username:password`. */
  readonly auth?: string;
  /** The username, when stored apart from `auth`. */
  readonly username?: string;
  /** The password, when stored apart from `auth`. */
  readonly password?: string;
  /** An OAuth2 refresh token the registry issued at login. */
  readonly identitytoken?: string;
  /** Other fields (`email`, `registrytoken`, …) are kept but not used. */
  readonly [field: string]: unknown;
}

/**
 * The parts of a Docker `config.json` or containers `auth.json` that hold
 * credentials. Every other field is kept untouched by `login` and `logout`.
 */
export interface DockerConfigFile {
  /** Credentials per registry key (`ghcr.io`, `https://index.docker.io/v1/`, `quay.io/org/repo`). */
  readonly auths?: Readonly<Record<string, DockerAuthEntry>>;
  /** The credential helper for every registry: `pass` runs `docker-credential-pass`. */
  readonly credsStore?: string;
  /** Credential helpers per registry, taking precedence over `credsStore`. */
  readonly credHelpers?: Readonly<Record<string, string>>;
  /** Other fields (`proxies`, `currentContext`, …) are kept but not used. */
  readonly [field: string]: unknown;
}

/** Where a config came from, for error messages. */
export const CONFIG_OPTION_PATH = '(config option)';

const ENTRY_STRINGS = ['auth', 'username', 'password', 'identitytoken'] as const;
// A helper name becomes part of a program name; keep it a plain file name.
const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(path: string, what: string): never {
  throw new DockerConfigError(`@regkit/docker-config: ${path}: ${what}`, { path });
}

/** True when `name` is acceptable as the `<name>` of `docker-credential-<name>`. */
export function isHelperName(name: string): boolean {
  return HELPER_NAME.test(name);
}

/**
 * Checks the credential fields' types (other fields are left alone) and
 * returns the value typed. Messages name the field, never its value.
 */
export function validateConfig(value: unknown, path: string): DockerConfigFile {
  if (!isRecord(value)) invalid(path, 'the file must hold a JSON object');
  const { auths, credsStore, credHelpers } = value;
  if (auths !== undefined && auths !== null) {
    if (!isRecord(auths)) invalid(path, '"auths" must be an object');
    for (const [key, entry] of Object.entries(auths)) {
      if (!isRecord(entry)) invalid(path, `auths[${JSON.stringify(key)}] must be an object`);
      for (const field of ENTRY_STRINGS) {
        const fieldValue = entry[field];
        if (fieldValue !== undefined && fieldValue !== null && typeof fieldValue !== 'string') {
          invalid(path, `auths[${JSON.stringify(key)}].${field} must be a string`);
        }
      }
    }
  }
  if (credsStore !== undefined && credsStore !== null && credsStore !== '') {
    if (typeof credsStore !== 'string' || !isHelperName(credsStore)) {
      invalid(path, '"credsStore" must be a helper name (letters, digits, ".", "_", "-")');
    }
  }
  if (credHelpers !== undefined && credHelpers !== null) {
    if (!isRecord(credHelpers)) invalid(path, '"credHelpers" must be an object');
    for (const [key, helper] of Object.entries(credHelpers)) {
      if (typeof helper !== 'string' || !isHelperName(helper)) {
        invalid(path, `credHelpers[${JSON.stringify(key)}] must be a helper name (letters, digits, ".", "_", "-")`);
      }
    }
  }
  return value as DockerConfigFile;
}

/** Parses a config file's text; a syntax error names the line and column and nothing of the text. */
export function parseConfigText(text: string, path: string): Record<string, unknown> {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    // Not chained as `cause`: the engine's message quotes the text around the error.
    const { line, column } = jsonErrorPosition(text);
    throw new DockerConfigError(`@regkit/docker-config: ${path}: invalid JSON at line ${line}, column ${column}`, {
      path,
      line,
      column,
    });
  }
  return validateConfig(value, path) as Record<string, unknown>;
}

function errorCode(error: unknown): string | undefined {
  return isRecord(error) && typeof error.code === 'string' ? error.code : undefined;
}

/**
 * Reads and parses a config file; `undefined` when it does not exist (Docker
 * and podman treat a missing file as "no credentials").
 */
export async function readConfigFile(path: string): Promise<DockerConfigFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new DockerConfigError(`@regkit/docker-config: ${path}: cannot read the file (${code ?? 'unknown error'})`, {
      path,
    });
  }
  return parseConfigText(text, path);
}
