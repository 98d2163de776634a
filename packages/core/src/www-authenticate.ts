/**
 * `WWW-Authenticate` parsing and formatting (RFC 7235 §4.1, RFC 6750 §3).
 * The scopes a `Bearer` challenge names are read by `scope.ts`.
 *
 * The parser is deliberately lenient: the header comes from a server we do
 * not control, and registries in the wild send several challenges in one
 * value, commas inside quoted scopes, unquoted URLs and missing commas. It
 * never throws; whatever it cannot read is skipped up to the next comma.
 */
import type { AuthChallenge } from './authenticator';
import { InvalidOptionError } from './errors/option-errors';

/** A challenge as {@link parseWwwAuthenticate} returns it. */
export interface ParsedAuthChallenge extends AuthChallenge {
  /**
   * The `token68` form some schemes use instead of parameters
   * (`Negotiate YII…`), verbatim. Absent when the challenge has parameters.
   */
  readonly token68?: string;
}

// RFC 9110 §5.6.2 tchar.
const TCHAR = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]$/;
// RFC 7235 §2.1 token68, which must then run to the end of the challenge.
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*/;

const isSpace = (char: string | undefined): boolean => char === ' ' || char === '\t';

/** A position in the header value with the few moves the grammar needs. */
class Cursor {
  pos = 0;
  constructor(readonly text: string) {}

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string | undefined {
    return this.text[this.pos];
  }

  skipSpaces(): boolean {
    const start = this.pos;
    while (isSpace(this.peek())) this.pos++;
    return this.pos > start;
  }

  /** Skips OWS and empty list elements, which RFC 9110 §5.6.1 tells recipients to accept. */
  skipSeparators(): void {
    while (isSpace(this.peek()) || this.peek() === ',') this.pos++;
  }

  token(): string {
    const start = this.pos;
    while (!this.done && TCHAR.test(this.text[this.pos] as string)) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** True when `token BWS "="` starts here: an auth-param rather than a new challenge. */
  atParam(): boolean {
    const start = this.pos;
    const name = this.token();
    this.skipSpaces();
    const result = name !== '' && this.peek() === '=';
    this.pos = start;
    return result;
  }

  /** Reads a quoted-string after its opening quote; undefined when it never closes. */
  quoted(): string | undefined {
    let value = '';
    while (!this.done) {
      const char = this.text[this.pos++] as string;
      if (char === '"') return value;
      if (char === '\\') {
        if (this.done) return undefined;
        value += this.text[this.pos++];
      } else {
        value += char;
      }
    }
    return undefined;
  }

  /**
   * Reads an unquoted value. Stricter parsers stop at the first non-tchar,
   * but unquoted realm URLs (`realm=https://…`) are common enough to accept.
   */
  bare(): string {
    const start = this.pos;
    while (!this.done) {
      const char = this.text[this.pos] as string;
      if (char === ',' || isSpace(char)) break;
      this.pos++;
    }
    return this.text.slice(start, this.pos);
  }

  /** Reads a token68 when one fills the rest of this challenge; otherwise moves nowhere. */
  token68(): string | undefined {
    const match = TOKEN68.exec(this.text.slice(this.pos));
    if (!match) return undefined;
    const start = this.pos;
    this.pos += match[0].length;
    this.skipSpaces();
    if (this.done || this.peek() === ',') return match[0];
    this.pos = start;
    return undefined;
  }

  /** Moves to the next comma that is not inside a quoted-string. */
  skipGarbage(): void {
    let quoted = false;
    while (!this.done) {
      const char = this.text[this.pos] as string;
      if (quoted) {
        if (char === '\\') this.pos++;
        else if (char === '"') quoted = false;
      } else if (char === '"') {
        quoted = true;
      } else if (char === ',') {
        return;
      }
      this.pos++;
    }
  }
}

interface MutableChallenge {
  scheme: string;
  params: Record<string, string>;
  token68?: string;
}

function readParam(cursor: Cursor, into: MutableChallenge | undefined): void {
  const name = cursor.token().toLowerCase();
  cursor.skipSpaces();
  cursor.pos++; // '=', guaranteed by atParam()
  cursor.skipSpaces();
  let value: string | undefined;
  if (cursor.peek() === '"') {
    cursor.pos++;
    value = cursor.quoted();
    // An unterminated quote swallowed the rest of the value: keep nothing of it.
    if (value === undefined) return;
  } else {
    value = cursor.bare();
  }
  // RFC 7235 allows each name once; the first occurrence wins.
  if (into && !Object.hasOwn(into.params, name)) into.params[name] = value;
}

function freeze(challenge: MutableChallenge): ParsedAuthChallenge {
  Object.freeze(challenge.params);
  return Object.freeze(challenge);
}

/**
 * Parses a `WWW-Authenticate` header value into its challenges.
 *
 * Scheme and parameter names are lower-cased; values are unquoted and
 * unescaped. One value may hold several challenges (core joins repeated
 * headers with `", "`). The function never throws: unreadable parts are
 * skipped, and an empty array means nothing could be read.
 *
 * @example
 * ```ts
 * parseWwwAuthenticate('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"');
 * // [{ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull' } }]
 * ```
 */
export function parseWwwAuthenticate(value: string): ParsedAuthChallenge[] {
  const challenges: ParsedAuthChallenge[] = [];
  if (typeof value !== 'string') return challenges;
  const cursor = new Cursor(value);
  let current: MutableChallenge | undefined;
  const flush = (): void => {
    if (current) challenges.push(freeze(current));
    current = undefined;
  };

  for (;;) {
    cursor.skipSeparators();
    if (cursor.done) break;
    if (cursor.atParam()) {
      // A parameter belongs to the challenge before it, even after a missing
      // comma or an empty list element; one with no challenge is dropped.
      readParam(cursor, current);
      continue;
    }
    const scheme = cursor.token();
    if (scheme === '') {
      cursor.skipGarbage();
      continue;
    }
    flush();
    current = { scheme: scheme.toLowerCase(), params: Object.create(null) as Record<string, string> };
    if (cursor.skipSpaces()) {
      const token68 = cursor.token68();
      if (token68 !== undefined) current.token68 = token68;
    } else if (!cursor.done && cursor.peek() !== ',') {
      // `Bearer"…"` and the like: keep the scheme, drop what follows it.
      cursor.skipGarbage();
    }
  }
  flush();
  return challenges;
}

function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

function isToken(value: string): boolean {
  return value.length > 0 && [...value].every((char) => TCHAR.test(char));
}

/**
 * Formats challenges as one `WWW-Authenticate` value, the inverse of
 * {@link parseWwwAuthenticate}: every parameter value is quoted.
 *
 * @throws {InvalidOptionError} when a scheme or parameter name is not an
 * RFC 9110 token, or a token68 is malformed.
 */
export function formatWwwAuthenticate(challenges: readonly ParsedAuthChallenge[]): string {
  return challenges
    .map((challenge) => {
      if (!isToken(challenge.scheme)) {
        throw new InvalidOptionError('challenges', `invalid auth-scheme ${JSON.stringify(challenge.scheme)}`);
      }
      if (challenge.token68 !== undefined) {
        if (TOKEN68.exec(challenge.token68)?.[0] !== challenge.token68) {
          throw new InvalidOptionError('challenges', 'invalid token68 value');
        }
        return `${challenge.scheme} ${challenge.token68}`;
      }
      const params = Object.entries(challenge.params).map(([name, value]) => {
        if (!isToken(name)) throw new InvalidOptionError('challenges', `invalid auth-param name ${JSON.stringify(name)}`);
        return `${name}=${quote(value)}`;
      });
      return params.length === 0 ? challenge.scheme : `${challenge.scheme} ${params.join(', ')}`;
    })
    .join(', ');
}
