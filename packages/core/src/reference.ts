import { checkDigest } from './digest';
import { InvalidOptionError } from './errors/option-errors';
import { InvalidReferenceError, type InvalidReferenceReason } from './errors/reference-errors';
import { inputText } from './input-text';

// The grammar of distribution/reference v0.6.0 (docs/protocol.md §3.1-3.2),
// built from named pieces so each piece can be checked against the Go source.
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_AND_PORT = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[(?:[a-fA-F0-9:]+)\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const REMOTE_NAME = `${PATH_COMPONENT}(?:\\/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const NAME = `(?:${DOMAIN_AND_PORT}\\/)?${REMOTE_NAME}`;

/** Go's `ReferenceRegexp`: groups 1 = name, 2 = tag, 3 = digest. */
const REFERENCE_REGEXP = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
/**
 * `ReferenceRegexp` with the name split in the same pass: groups 1 = domain,
 * 2 = path, 3 = tag, 4 = digest. Go matches the reference and then re-matches
 * the name with `anchoredNameRegexp`; both regexps prefer taking a domain, and
 * a domain ends at the first `/`, so one pass yields the same split.
 */
const SPLIT_REFERENCE_REGEXP = new RegExp(`^(?:(${DOMAIN_AND_PORT})\\/)?(${REMOTE_NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
/** Go's `anchoredNameRegexp`: groups 1 = domain, 2 = path. */
const ANCHORED_NAME_REGEXP = new RegExp(`^(?:(${DOMAIN_AND_PORT})\\/)?(${REMOTE_NAME})$`);
const ANCHORED_DOMAIN_REGEXP = new RegExp(`^${DOMAIN_AND_PORT}$`);
const ANCHORED_REMOTE_NAME_REGEXP = new RegExp(`^${REMOTE_NAME}$`);
const ANCHORED_TAG_REGEXP = new RegExp(`^${TAG}$`);
const ANCHORED_DIGEST_REGEXP = new RegExp(`^${DIGEST}$`);
const ANCHORED_IDENTIFIER_REGEXP = /^[a-f0-9]{64}$/;

/**
 * The compiled grammar, for tests that check it row by row against the
 * upstream tables.
 *
 * @internal
 */
export const REFERENCE_REGEXPS = Object.freeze({
  reference: REFERENCE_REGEXP,
  splitReference: SPLIT_REFERENCE_REGEXP,
  anchoredName: ANCHORED_NAME_REGEXP,
  anchoredDomain: ANCHORED_DOMAIN_REGEXP,
  anchoredRemoteName: ANCHORED_REMOTE_NAME_REGEXP,
  anchoredTag: ANCHORED_TAG_REGEXP,
  anchoredDigest: ANCHORED_DIGEST_REGEXP,
  anchoredIdentifier: ANCHORED_IDENTIFIER_REGEXP,
});

/** Upstream `NameTotalLengthMax`; v0.6.0 applies it to the path only. */
const PATH_MAX_LENGTH = 255;

const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
const LOCALHOST = 'localhost';

// Upstream error texts, kept verbatim so failures compare with Go clients.
const REFERENCE_INVALID_FORMAT = 'invalid reference format';
const TAG_INVALID_FORMAT = 'invalid tag format';
const DIGEST_INVALID_FORMAT = 'invalid digest format';
const NAME_CONTAINS_UPPERCASE = 'repository name must be lowercase';
const NAME_EMPTY = 'repository name must have at least one component';
const NAME_TOO_LONG = `repository name must not be more than ${PATH_MAX_LENGTH} characters`;
const NAME_NOT_CANONICAL = 'repository name must be canonical';

function fail(input: string, reason: InvalidReferenceReason, detail: string): never {
  throw new InvalidReferenceError(input, reason, detail);
}

/**
 * Plain-JS callers (and parsed JSON) can pass anything: a non-string is a
 * malformed reference with a typed error, not a `TypeError` from deep inside.
 *
 * @internal
 */
export function assertReferenceString(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string') {
    const type = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    fail(inputText(value), 'REFERENCE_INVALID_FORMAT', `${what} must be a string, got ${type}`);
  }
}

/**
 * A parsed, validated image reference: `[domain/]path[:tag][@digest]`.
 * Immutable; obtain one from {@link parseReference},
 * {@link parseNormalizedNamed}, {@link withName} and friends.
 *
 * @example
 * ```ts
 * const ref = parseNormalizedNamed('alpine:3.20');
 * ref.domain;           // 'docker.io'
 * ref.path;             // 'library/alpine'
 * ref.tag;              // '3.20'
 * ref.name;             // 'docker.io/library/alpine'
 * String(ref);          // 'docker.io/library/alpine:3.20'
 * ref.familiarString(); // 'alpine:3.20'
 * ```
 */
export interface Reference {
  /** Discriminates from {@link DigestReference}. */
  readonly kind: 'named';
  /** Registry host with optional port, e.g. `docker.io` or `[::1]:5000`; `''` when the reference has none. */
  readonly domain: string;
  /** Repository path inside the registry, e.g. `library/alpine`. */
  readonly path: string;
  /** The tag, when present. */
  readonly tag?: string;
  /** The digest (`algorithm:hex`), when present. */
  readonly digest?: string;
  /** `domain/path`, or `path` when there is no domain. */
  readonly name: string;
  /** The full reference: `name[:tag][@digest]`. Parsing it gives back an equal reference. */
  toString(): string;
  /** Same as {@link Reference.toString}, so `JSON.stringify` writes the string form. */
  toJSON(): string;
  /** The name as `docker` prints it: no `docker.io/`, no `library/` for official images. */
  familiarName(): string;
  /** The reference as `docker` prints it, e.g. `alpine:3.20`. */
  familiarString(): string;
}

/**
 * A reference that is only a digest, with no repository name. Only
 * {@link parseAnyReference} produces one, for inputs such as `sha256:…` or a
 * bare 64-hex image ID.
 *
 * @example
 * ```ts
 * const ref = parseAnyReference('sha256:' + 'a'.repeat(64));
 * if (ref.kind === 'digest') console.log(ref.digest);
 * ```
 */
export interface DigestReference {
  /** Discriminates from {@link Reference}. */
  readonly kind: 'digest';
  /** The digest, `algorithm:hex`. */
  readonly digest: string;
  /** The digest. */
  toString(): string;
  /** The digest. */
  toJSON(): string;
}

class NamedReference implements Reference {
  readonly kind = 'named' as const;
  readonly domain: string;
  readonly path: string;
  declare readonly tag?: string;
  declare readonly digest?: string;
  readonly name: string;

  constructor(domain: string, path: string, tag: string | undefined, digest: string | undefined) {
    this.domain = domain;
    this.path = path;
    // Absent parts are left off rather than set to undefined, so `'tag' in ref`
    // and object spreads behave as the optional type says.
    if (tag !== undefined) this.tag = tag;
    if (digest !== undefined) this.digest = digest;
    this.name = domain === '' ? path : `${domain}/${path}`;
    Object.freeze(this);
  }

  toString(): string {
    let text = this.name;
    if (this.tag !== undefined) text += `:${this.tag}`;
    if (this.digest !== undefined) text += `@${this.digest}`;
    return text;
  }

  toJSON(): string {
    return this.toString();
  }

  familiarName(): string {
    return familiarNameOf(this.domain, this.path);
  }

  familiarString(): string {
    let text = this.familiarName();
    if (this.tag !== undefined) text += `:${this.tag}`;
    if (this.digest !== undefined) text += `@${this.digest}`;
    return text;
  }
}

class DigestOnlyReference implements DigestReference {
  readonly kind = 'digest' as const;
  readonly digest: string;

  constructor(digest: string) {
    this.digest = digest;
    Object.freeze(this);
  }

  toString(): string {
    return this.digest;
  }

  toJSON(): string {
    return this.digest;
  }
}

function familiarNameOf(domain: string, path: string): string {
  if (domain !== DEFAULT_DOMAIN) return domain === '' ? path : `${domain}/${path}`;
  // Only a single-level `library/x` is shortened: `library/a/b` is not an
  // official image and would not round-trip.
  if (path.startsWith(OFFICIAL_REPO_PREFIX) && !path.includes('/', OFFICIAL_REPO_PREFIX.length)) {
    return path.slice(OFFICIAL_REPO_PREFIX.length);
  }
  return path;
}

/**
 * `Parse` of distribution/reference. `reported` is the string errors name:
 * the caller's input, which differs from `s` after Docker Hub normalisation.
 */
function parseExact(s: string, reported: string): NamedReference {
  const match = SPLIT_REFERENCE_REGEXP.exec(s);
  if (match === null) {
    if (s === '') fail(reported, 'NAME_EMPTY', NAME_EMPTY);
    // Only worth the lower-casing on the failure path.
    const lower = s.toLowerCase();
    if (lower !== s && SPLIT_REFERENCE_REGEXP.test(lower)) {
      fail(reported, 'NAME_CONTAINS_UPPERCASE', NAME_CONTAINS_UPPERCASE);
    }
    fail(reported, 'REFERENCE_INVALID_FORMAT', REFERENCE_INVALID_FORMAT);
  }
  const [, domain = '', path = '', tag, digest] = match;
  if (path.length > PATH_MAX_LENGTH) fail(reported, 'NAME_TOO_LONG', NAME_TOO_LONG);
  if (digest !== undefined) {
    const checked = checkDigest(digest);
    if ('reason' in checked) fail(reported, checked.reason, checked.detail);
  }
  return new NamedReference(domain, path, tag, digest);
}

/**
 * Parses a reference exactly as written, like Go's `reference.Parse`: no
 * Docker Hub normalisation, so `alpine` has no domain and `foo/bar` has the
 * domain `foo`. `toString()` gives the input back.
 *
 * @throws {InvalidReferenceError} `NAME_EMPTY`, `REFERENCE_INVALID_FORMAT`,
 *   `NAME_CONTAINS_UPPERCASE`, `NAME_TOO_LONG` (path over 255 characters) or
 *   a `DIGEST_*` reason.
 *
 * @example
 * ```ts
 * const ref = parseReference('localhost:5000/team/app:1.0');
 * ref.domain; // 'localhost:5000'
 * ref.path;   // 'team/app'
 * ref.tag;    // '1.0'
 * ```
 */
export function parseReference(s: string): Reference {
  assertReferenceString(s, 'a reference');
  return parseExact(s, s);
}

/**
 * Splits off the domain the way `docker pull` does (upstream
 * `splitDockerDomain`): the first component is a registry only if it is
 * `localhost`, contains `.` or `:`, or has upper case; a name with no `/` is
 * always a Docker Hub official image.
 */
function splitDockerDomain(name: string): [domain: string, remainder: string] {
  const slash = name.indexOf('/');
  if (slash === -1) return [DEFAULT_DOMAIN, OFFICIAL_REPO_PREFIX + name];
  const first = name.slice(0, slash);
  const rest = name.slice(slash + 1);
  let domain: string;
  let remainder: string;
  if (first === LOCALHOST) [domain, remainder] = [first, rest];
  else if (first === LEGACY_DEFAULT_DOMAIN) [domain, remainder] = [DEFAULT_DOMAIN, rest];
  else if (first.includes('.') || first.includes(':')) [domain, remainder] = [first, rest];
  // Docker Hub namespaces are lower case, so an upper-case one must be a host.
  else if (first.toLowerCase() !== first) [domain, remainder] = [first, rest];
  else [domain, remainder] = [DEFAULT_DOMAIN, name];
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_REPO_PREFIX + remainder;
  return [domain, remainder];
}

/**
 * Parses a reference the way `docker pull` reads it (Go's
 * `ParseNormalizedNamed`): a bare name is a Docker Hub official image
 * (`docker.io/library/…`), `index.docker.io` becomes `docker.io`, and a first
 * component is a registry only when it is `localhost`, contains `.` or `:`,
 * or has upper case. No default tag is added.
 *
 * @throws {InvalidReferenceError} `NAME_IS_IDENTIFIER` for a bare 64-hex
 *   image ID, `NAME_CONTAINS_UPPERCASE` for an upper-case repository, and
 *   every reason of {@link parseReference}.
 *
 * @example
 * ```ts
 * parseNormalizedNamed('alpine').toString();              // 'docker.io/library/alpine'
 * parseNormalizedNamed('ghcr.io/org/tool:v1').domain;     // 'ghcr.io'
 * parseNormalizedNamed('index.docker.io/user/app').name;  // 'docker.io/user/app'
 * ```
 */
export function parseNormalizedNamed(s: string): Reference {
  assertReferenceString(s, 'a reference');
  if (ANCHORED_IDENTIFIER_REGEXP.test(s)) {
    fail(s, 'NAME_IS_IDENTIFIER', `invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  }
  const [domain, remainder] = splitDockerDomain(s);
  const colon = remainder.indexOf(':');
  const remote = colon === -1 ? remainder : remainder.slice(0, colon);
  if (remote.toLowerCase() !== remote) {
    fail(s, 'NAME_CONTAINS_UPPERCASE', `invalid reference format: repository name (${remote}) must be lowercase`);
  }
  return parseExact(`${domain}/${remainder}`, s);
}

/**
 * Parses a reference that must already be in canonical form (Go's
 * `ParseNamed`): the input must equal its own normalisation, so `alpine` or
 * `docker.io/alpine` are refused while `docker.io/library/alpine` is accepted.
 *
 * @throws {InvalidReferenceError} `NAME_NOT_CANONICAL`, or any reason of
 *   {@link parseNormalizedNamed}.
 *
 * @example
 * ```ts
 * parseNamed('docker.io/library/alpine:3'); // ok
 * parseNamed('alpine:3');                   // throws NAME_NOT_CANONICAL
 * ```
 */
export function parseNamed(s: string): Reference {
  const ref = parseNormalizedNamed(s);
  if (ref.toString() !== s) fail(s, 'NAME_NOT_CANONICAL', NAME_NOT_CANONICAL);
  return ref;
}

/**
 * Parses a reference the way the Docker engine resolves what to pull (Go's
 * `ParseDockerRef`): normalised like {@link parseNormalizedNamed}; a name
 * alone gets the tag `latest`; with both a tag and a digest the tag is
 * dropped, because the digest alone decides what is pulled.
 *
 * @throws {InvalidReferenceError} any reason of {@link parseNormalizedNamed}.
 *
 * @example
 * ```ts
 * parseDockerRef('busybox').toString();                // 'docker.io/library/busybox:latest'
 * parseDockerRef('gcr.io/a/b:1@sha256:…').toString();  // 'gcr.io/a/b@sha256:…'
 * ```
 */
export function parseDockerRef(s: string): Reference {
  const ref = parseNormalizedNamed(s);
  if (ref.digest !== undefined) {
    return ref.tag === undefined ? ref : new NamedReference(ref.domain, ref.path, undefined, ref.digest);
  }
  return ref.tag === undefined ? new NamedReference(ref.domain, ref.path, 'latest', undefined) : ref;
}

/**
 * Parses either an image reference or a bare digest (Go's
 * `ParseAnyReference`): 64 lower-case hex characters are taken as a sha256
 * image ID, a valid digest string gives a {@link DigestReference}, and
 * anything else goes through {@link parseNormalizedNamed}.
 *
 * @throws {InvalidReferenceError} any reason of {@link parseNormalizedNamed}.
 *
 * @example
 * ```ts
 * parseAnyReference('redis').toString();        // 'docker.io/library/redis'
 * parseAnyReference('a'.repeat(64)).toString(); // 'sha256:aaaa…'
 * ```
 */
export function parseAnyReference(s: string): Reference | DigestReference {
  assertReferenceString(s, 'a reference');
  if (ANCHORED_IDENTIFIER_REGEXP.test(s)) return new DigestOnlyReference(`sha256:${s}`);
  // Checked before names because `sha256:<hex>` is also a valid `name:tag`;
  // upstream reads it as a digest.
  if (!('reason' in checkDigest(s))) return new DigestOnlyReference(s);
  return parseNormalizedNamed(s);
}

/** What {@link parseImageName} returns: the parts of a `docker pull` reference. */
export interface ImageName {
  /** Registry, e.g. `docker.io` or `localhost:5000`. */
  readonly domain: string;
  /** Repository path, e.g. `library/golang`. */
  readonly path: string;
  /** The tag, or `''` when the input has none (no `latest` is assumed). */
  readonly tag: string;
  /** The digest, or `''` when the input has none. */
  readonly digest: string;
}

/**
 * Splits an image name as `docker pull` reads it ({@link parseNormalizedNamed})
 * into plain strings. No default tag is assumed: `tag` is `''` when absent,
 * `digest` likewise, and both may be set.
 *
 * @throws {InvalidReferenceError} any reason of {@link parseNormalizedNamed}.
 *
 * @example
 * ```ts
 * parseImageName('golang');
 * // { domain: 'docker.io', path: 'library/golang', tag: '', digest: '' }
 * parseImageName('localhost:5000/app:1.2');
 * // { domain: 'localhost:5000', path: 'app', tag: '1.2', digest: '' }
 * ```
 */
export function parseImageName(image: string): ImageName {
  const ref = parseNormalizedNamed(image);
  return { domain: ref.domain, path: ref.path, tag: ref.tag ?? '', digest: ref.digest ?? '' };
}

/**
 * The name as `docker` prints it (Go's `FamiliarName`): `docker.io/` is
 * dropped, and so is `library/` for a single-level official image.
 *
 * @example
 * ```ts
 * familiarName(parseNormalizedNamed('docker.io/library/ubuntu:24.04')); // 'ubuntu'
 * familiarName(parseNormalizedNamed('quay.io/org/app'));                // 'quay.io/org/app'
 * ```
 */
export function familiarName(ref: Reference): string {
  return familiarNameOf(ref.domain, ref.path);
}

/**
 * The whole reference as `docker` prints it (Go's `FamiliarString`): the
 * familiar name plus tag and digest. A {@link DigestReference} prints as its
 * digest.
 *
 * @example
 * ```ts
 * familiarString(parseNormalizedNamed('docker.io/library/ubuntu:24.04')); // 'ubuntu:24.04'
 * ```
 */
export function familiarString(ref: Reference | DigestReference): string {
  return ref.kind === 'named' ? ref.familiarString() : ref.digest;
}

/**
 * Matches a reference against a shell-style pattern (Go's `FamiliarMatch`),
 * first using its familiar string and then its familiar name. `*` and `?`
 * do not match `/`; `[…]` classes and `\` escapes work as in Go's
 * `path.Match`.
 *
 * @throws {InvalidOptionError} when `pattern` is malformed.
 *
 * @example
 * ```ts
 * familiarMatch('library/*', parseNormalizedNamed('library/ubuntu')); // false: its familiar form is 'ubuntu'
 * familiarMatch('example.com/*', parseNormalizedNamed('example.com/app:1')); // true: `*` takes 'app:1'
 * familiarMatch('ubuntu', parseNormalizedNamed('ubuntu:24.04'));             // true, via the familiar name
 * ```
 */
export function familiarMatch(pattern: string, ref: Reference | DigestReference): boolean {
  if (pathMatch(pattern, familiarString(ref))) return true;
  return ref.kind === 'named' && pathMatch(pattern, ref.familiarName());
}

/**
 * Builds a name-only reference from `[domain/]path` (Go's `WithName`). Only
 * the name grammar applies: a tag or digest in the input is an error, and
 * there is no Docker Hub normalisation.
 *
 * @throws {InvalidReferenceError} `REFERENCE_INVALID_FORMAT` or
 *   `NAME_TOO_LONG`.
 *
 * @example
 * ```ts
 * withName('registry.example.com:5000/team/app').domain; // 'registry.example.com:5000'
 * ```
 */
export function withName(name: string): Reference {
  assertReferenceString(name, 'a name');
  const match = ANCHORED_NAME_REGEXP.exec(name);
  if (match === null) fail(name, 'REFERENCE_INVALID_FORMAT', REFERENCE_INVALID_FORMAT);
  const [, domain = '', path = ''] = match;
  if (path.length > PATH_MAX_LENGTH) fail(name, 'NAME_TOO_LONG', NAME_TOO_LONG);
  return new NamedReference(domain, path, undefined, undefined);
}

/**
 * A copy of `ref` with its tag set to `tag`; a digest on `ref` is kept (Go's
 * `WithTag`).
 *
 * @throws {InvalidReferenceError} `TAG_INVALID_FORMAT`.
 *
 * @example
 * ```ts
 * withTag(withName('example.com/app'), 'v2').toString(); // 'example.com/app:v2'
 * ```
 */
export function withTag(ref: Reference, tag: string): Reference {
  assertReferenceString(tag, 'a tag');
  if (!isValidTag(tag)) fail(tag, 'TAG_INVALID_FORMAT', TAG_INVALID_FORMAT);
  return new NamedReference(ref.domain, ref.path, tag, ref.digest);
}

/**
 * A copy of `ref` with its digest set to `digest`; a tag on `ref` is kept
 * (Go's `WithDigest`). As upstream, only the digest grammar is checked, not
 * the algorithm or the hex length; use {@link parseDigest} first when that
 * matters.
 *
 * @throws {InvalidReferenceError} `DIGEST_INVALID_FORMAT`.
 *
 * @example
 * ```ts
 * withDigest(withName('example.com/app'), digest).toString(); // 'example.com/app@sha256:…'
 * ```
 */
export function withDigest(ref: Reference, digest: string): Reference {
  assertReferenceString(digest, 'a digest');
  if (!ANCHORED_DIGEST_REGEXP.test(digest)) fail(digest, 'DIGEST_INVALID_FORMAT', DIGEST_INVALID_FORMAT);
  return new NamedReference(ref.domain, ref.path, ref.tag, digest);
}

/**
 * True when `tag` is a valid tag: `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`, the
 * same language in the OCI spec and in distribution/reference.
 *
 * @example
 * ```ts
 * isValidTag('v1.2.3'); // true
 * isValidTag('-rc');    // false
 * ```
 */
export function isValidTag(tag: string): boolean {
  // `RegExp.test` would turn `123` into "123" and accept it.
  return typeof tag === 'string' && ANCHORED_TAG_REGEXP.test(tag);
}

/**
 * True when `name` is a valid OCI repository name (the `<name>` of
 * `/v2/<name>/…` URLs): lower-case components joined by `/`, each made of
 * alphanumerics separated by `.`, `_`, `__` or runs of `-`. It excludes the
 * registry host. The OCI spec sets no length limit, so none is applied here.
 *
 * @example
 * ```ts
 * isValidRepositoryName('library/alpine'); // true
 * isValidRepositoryName('Library/alpine'); // false
 * ```
 */
export function isValidRepositoryName(name: string): boolean {
  return typeof name === 'string' && ANCHORED_REMOTE_NAME_REGEXP.test(name);
}

// ---------------------------------------------------------------------------
// Go's `path.Match`, which `FamiliarMatch` is defined by. The pattern is split
// into chunks, each a star-prefixed run of fixed-width items; a star takes the
// first position where its chunk fits, except that the last chunk must reach
// the end. That is not a full backtracking glob, and the difference is
// observable (`*[/a]*c` does not match `a/c`), so the same strategy is kept.

/** Thrown inside the matcher; turned into an {@link InvalidOptionError}. */
const BAD_PATTERN = Symbol('bad pattern');

function pathMatch(pattern: string, name: string): boolean {
  if (typeof pattern !== 'string') {
    throw new InvalidOptionError('pattern', `regkit: a pattern must be a string, got ${inputText(pattern)}`);
  }
  const result = matchPattern(pattern, name);
  if (result === BAD_PATTERN) {
    throw new InvalidOptionError('pattern', `regkit: syntax error in pattern ${JSON.stringify(pattern)}`);
  }
  return result;
}

interface Chunk {
  readonly star: boolean;
  readonly chunk: string;
  readonly rest: string;
}

function scanChunk(pattern: string): Chunk {
  let start = 0;
  while (pattern[start] === '*') start++;
  let inRange = false;
  let end = start;
  for (; end < pattern.length; end++) {
    const c = pattern[end];
    if (c === '\\') {
      if (end + 1 < pattern.length) end++;
    } else if (c === '[') inRange = true;
    else if (c === ']') inRange = false;
    else if (c === '*' && !inRange) break;
  }
  return { star: start > 0, chunk: pattern.slice(start, end), rest: pattern.slice(end) };
}

function matchPattern(pattern: string, name: string): boolean | typeof BAD_PATTERN {
  let rest = pattern;
  chunks: while (rest.length > 0) {
    const { star, chunk, rest: after } = scanChunk(rest);
    rest = after;
    const isLast = rest.length === 0;
    if (star && chunk === '') return !name.includes('/');
    const here = matchChunk(chunk, name);
    if (here === BAD_PATTERN) return BAD_PATTERN;
    if (here !== null && (here === '' || !isLast)) {
      name = here;
      continue;
    }
    if (star) {
      // A star may skip anything but `/`.
      for (let i = 0; i < name.length && name[i] !== '/'; i++) {
        const later = matchChunk(chunk, name.slice(i + 1));
        if (later === BAD_PATTERN) return BAD_PATTERN;
        if (later !== null && !(isLast && later !== '')) {
          name = later;
          continue chunks;
        }
      }
    }
    // No match; a malformed pattern must still be reported as such.
    while (rest.length > 0) {
      const next = scanChunk(rest);
      rest = next.rest;
      if (matchChunk(next.chunk, '') === BAD_PATTERN) return BAD_PATTERN;
    }
    return false;
  }
  return name === '';
}

/** Width in UTF-16 units of the code point at `index`. */
function widthAt(text: string, index: number): number {
  return (text.codePointAt(index) ?? 0) > 0xffff ? 2 : 1;
}

interface ClassChar {
  readonly codePoint: number;
  readonly next: number;
}

/** One character of a `[…]` class, possibly escaped; a class must be closed. */
function readClassChar(chunk: string, index: number): ClassChar | typeof BAD_PATTERN {
  let i = index;
  const c = chunk[i];
  if (c === undefined || c === '-' || c === ']') return BAD_PATTERN;
  if (c === '\\') {
    i++;
    if (i >= chunk.length) return BAD_PATTERN;
  }
  const codePoint = chunk.codePointAt(i) ?? 0;
  const next = i + widthAt(chunk, i);
  return next >= chunk.length ? BAD_PATTERN : { codePoint, next };
}

/**
 * Matches one chunk at the start of `s`: the rest of `s`, `null` for no
 * match, or BAD_PATTERN. After a mismatch the chunk is still read to the end
 * so that syntax errors are found.
 */
function matchChunk(chunk: string, s: string): string | null | typeof BAD_PATTERN {
  let failed = false;
  let si = 0;
  let ci = 0;
  while (ci < chunk.length) {
    if (!failed && si >= s.length) failed = true;
    const c = chunk[ci];
    if (c === '[') {
      let codePoint = -1;
      if (!failed) {
        codePoint = s.codePointAt(si) ?? -1;
        si += widthAt(s, si);
      }
      ci++;
      const negated = chunk[ci] === '^';
      if (negated) ci++;
      let matched = false;
      for (let ranges = 0; ; ranges++) {
        if (chunk[ci] === ']' && ranges > 0) {
          ci++;
          break;
        }
        const lo = readClassChar(chunk, ci);
        if (lo === BAD_PATTERN) return BAD_PATTERN;
        let hi: ClassChar = lo;
        if (chunk[lo.next] === '-') {
          const upper = readClassChar(chunk, lo.next + 1);
          if (upper === BAD_PATTERN) return BAD_PATTERN;
          hi = upper;
        }
        ci = hi.next;
        if (lo.codePoint <= codePoint && codePoint <= hi.codePoint) matched = true;
      }
      if (matched === negated) failed = true;
    } else if (c === '?') {
      if (!failed) {
        if (s[si] === '/') failed = true;
        si += widthAt(s, si);
      }
      ci++;
    } else {
      if (c === '\\') {
        ci++;
        if (ci >= chunk.length) return BAD_PATTERN;
      }
      if (!failed) {
        if (chunk[ci] !== s[si]) failed = true;
        si++;
      }
      ci++;
    }
  }
  return failed ? null : s.slice(si);
}
