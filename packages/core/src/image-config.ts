import { InvalidManifestError } from './errors';

/**
 * The runtime defaults of an image (`config` in the OCI image config; Docker
 * calls it `container_config`'s successor). Every field is optional, as in
 * the specification.
 */
export interface ImageRunConfig {
  /** `user`, `user:group`, `uid` or `uid:gid` the process runs as. */
  readonly User?: string;
  /** Ports to expose, as `port/protocol` keys (`"80/tcp"`) of empty objects. */
  readonly ExposedPorts?: Readonly<Record<string, Readonly<Record<string, never>>>>;
  /** Environment variables, `NAME=value`. */
  readonly Env?: readonly string[];
  /** The executable and its arguments, before `Cmd`. */
  readonly Entrypoint?: readonly string[];
  /** Default arguments (or the command, without an entrypoint). */
  readonly Cmd?: readonly string[];
  /** Mount points, as keys of empty objects. */
  readonly Volumes?: Readonly<Record<string, Readonly<Record<string, never>>>>;
  /** Working directory of the process. */
  readonly WorkingDir?: string;
  /** Arbitrary metadata (`LABEL` in a Dockerfile). */
  readonly Labels?: Readonly<Record<string, string>>;
  /** The signal that stops the container, e.g. `SIGTERM`. */
  readonly StopSignal?: string;
  /** Fields this type does not name (Docker's `Healthcheck`, `OnBuild`, …), kept as sent. */
  readonly [field: string]: unknown;
}

/** The layers' uncompressed digests, in order (`rootfs`). */
export interface ImageRootFs {
  /** Always `layers`. */
  readonly type: string;
  /** Digest of each layer's uncompressed tar, base first. */
  readonly diff_ids: readonly string[];
}

/** One build step (`history[]`). */
export interface ImageHistoryEntry {
  /** When the step ran (RFC 3339). */
  readonly created?: string;
  /** Who made it. */
  readonly author?: string;
  /** The command that made it, e.g. `/bin/sh -c #(nop) CMD ["sh"]`. */
  readonly created_by?: string;
  /** A comment. */
  readonly comment?: string;
  /** True when the step made no layer (so it has no `diff_ids` entry). */
  readonly empty_layer?: boolean;
}

/**
 * An OCI image configuration (`application/vnd.oci.image.config.v1+json`,
 * also Docker's `application/vnd.docker.container.image.v1+json`), as
 * `images().getConfig()` returns it: every field the specification names is
 * type-checked, other fields are kept as sent.
 */
export interface ImageConfig {
  /** CPU architecture, e.g. `arm64`. */
  readonly architecture: string;
  /** Operating system, e.g. `linux`. */
  readonly os: string;
  /** CPU variant, e.g. `v8`. */
  readonly variant?: string;
  /** OS version (Windows), e.g. `10.0.17763.1879`. */
  readonly 'os.version'?: string;
  /** Required OS features (Windows). */
  readonly 'os.features'?: readonly string[];
  /** When the image was created (RFC 3339). */
  readonly created?: string;
  /** Who made the image. */
  readonly author?: string;
  /** Runtime defaults: entrypoint, command, environment, user, labels… */
  readonly config?: ImageRunConfig;
  /** The uncompressed layer digests. */
  readonly rootfs: ImageRootFs;
  /** The build steps, oldest first. */
  readonly history?: readonly ImageHistoryEntry[];
  /** Fields this type does not name (Docker's `container`, `docker_version`, …), kept as sent. */
  readonly [field: string]: unknown;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function check(condition: boolean, what: string, path: string, problem: string): void {
  if (!condition) throw new InvalidManifestError(`${what}: ${path} ${problem}`);
}

function isStringArray(value: unknown): boolean {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isStringMap(value: unknown): boolean {
  return isObject(value) && Object.values(value).every((item) => typeof item === 'string');
}

function isSetMap(value: unknown): boolean {
  return isObject(value) && Object.values(value).every((item) => isObject(item));
}

/** Optional fields: `null` is what Go writes for an empty slice or map, so it counts as absent. */
function optional(object: Json, key: string, valid: (value: unknown) => boolean, what: string, path: string, type: string) {
  const value = object[key];
  if (value === undefined || value === null) return;
  check(valid(value), what, `${path}${key}`, `must be ${type}`);
}

const isString = (value: unknown) => typeof value === 'string';

/** Drops the `null`s Go writes for empty slices and maps, so optional fields are either valid or absent. */
function withoutNulls(object: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(object)) if (value !== null) out[key] = value;
  return out;
}

/**
 * Parses and checks an image config blob (bytes already verified against
 * their digest). `what` names the blob in errors.
 *
 * @throws InvalidManifestError when the JSON is malformed or a named field has the wrong type
 */
export function parseImageConfig(bytes: Uint8Array, what: string): ImageConfig {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new InvalidManifestError(`${what}: not UTF-8 JSON`, { cause: error });
  }
  check(isObject(json), what, 'the config', 'must be a JSON object');
  const top = withoutNulls(json as Json);
  check(typeof top.architecture === 'string', what, 'architecture', 'must be a string');
  check(typeof top.os === 'string', what, 'os', 'must be a string');
  for (const key of ['variant', 'os.version', 'created', 'author']) optional(top, key, isString, what, '', 'a string');
  optional(top, 'os.features', isStringArray, what, '', 'an array of strings');

  // Docker writes no rootfs for some very old images; a missing one reads as no layers.
  const rootfs = top.rootfs ?? { type: 'layers', diff_ids: [] };
  check(isObject(rootfs), what, 'rootfs', 'must be an object');
  const rootfsFields = withoutNulls(rootfs as Json);
  check(typeof rootfsFields.type === 'string', what, 'rootfs.type', 'must be a string');
  optional(rootfsFields, 'diff_ids', isStringArray, what, 'rootfs.', 'an array of strings');
  top.rootfs = { ...rootfsFields, diff_ids: rootfsFields.diff_ids ?? [] };

  if (top.config !== undefined) {
    check(isObject(top.config), what, 'config', 'must be an object');
    const run = withoutNulls(top.config as Json);
    for (const key of ['User', 'WorkingDir', 'StopSignal']) optional(run, key, isString, what, 'config.', 'a string');
    for (const key of ['Env', 'Entrypoint', 'Cmd']) optional(run, key, isStringArray, what, 'config.', 'an array of strings');
    optional(run, 'Labels', isStringMap, what, 'config.', 'a map of strings');
    for (const key of ['ExposedPorts', 'Volumes']) optional(run, key, isSetMap, what, 'config.', 'a map of objects');
    top.config = run;
  }

  if (top.history !== undefined) {
    check(Array.isArray(top.history), what, 'history', 'must be an array');
    top.history = (top.history as unknown[]).map((entry, index) => {
      check(isObject(entry), what, `history[${index}]`, 'must be an object');
      const step = withoutNulls(entry as Json);
      const path = `history[${index}].`;
      for (const key of ['created', 'author', 'created_by', 'comment']) optional(step, key, isString, what, path, 'a string');
      optional(step, 'empty_layer', (value) => typeof value === 'boolean', what, path, 'a boolean');
      return step;
    });
  }
  return top as ImageConfig;
}
