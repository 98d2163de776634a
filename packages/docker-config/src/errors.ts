import { RegkitError } from '@regkit/core';

/**
 * A Docker or containers auth file could not be used: malformed JSON, a
 * field of the wrong type, an `auth` value that is not base64
 * `user:password`, an unsafe helper name, or a file that cannot be read or
 * written. The message names the file and, for syntax errors, the line and
 * column; it never quotes the file's content, so a secret next to a typo
 * stays out of logs.
 */
export class DockerConfigError extends RegkitError {
  static override readonly kind: string = 'DockerConfigError';
  /** The file, or `"(config option)"` for a parsed object passed as `config`. */
  readonly path: string;
  /** 1-based line of a syntax error; `undefined` for other problems. */
  readonly line: number | undefined;
  /** 1-based column of a syntax error; `undefined` for other problems. */
  readonly column: number | undefined;

  constructor(message: string, details: { path: string; line?: number; column?: number }) {
    super(message);
    this.path = details.path;
    this.line = details.line;
    this.column = details.column;
  }
}

/** A credential-helper action: the protocol's four verbs. */
export type CredentialHelperAction = 'get' | 'store' | 'erase' | 'list';

/**
 * A credential helper (`docker-credential-<name>`) is missing, timed out,
 * failed, or answered with something that is not the protocol's JSON. The
 * helper's standard output (where credentials travel) is never included;
 * its standard error is, shortened and with anything that looks like a
 * secret removed.
 */
export class CredentialHelperError extends RegkitError {
  static override readonly kind: string = 'CredentialHelperError';
  /** The helper's name: `pass` for `docker-credential-pass`. */
  readonly helper: string;
  /** What was asked of it. */
  readonly action: CredentialHelperAction;
  /** Its exit code; `undefined` when it could not be started, timed out, or was killed. */
  readonly exitCode: number | undefined;
  /** Its standard error, at most 2 KiB, secrets removed; empty when there was none. */
  readonly stderr: string;

  constructor(
    message: string,
    details: { helper: string; action: CredentialHelperAction; exitCode?: number; stderr?: string },
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.helper = details.helper;
    this.action = details.action;
    this.exitCode = details.exitCode;
    this.stderr = details.stderr ?? '';
  }
}
