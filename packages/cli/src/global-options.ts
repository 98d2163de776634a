import { parseDuration } from './duration';

/** An option as `node:util` `parseArgs` takes it, plus its help text. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  /** Placeholder in help, e.g. `FILE`. */
  readonly value?: string;
  readonly help: string;
}

/** Flags every command accepts. */
export const GLOBAL_OPTIONS = {
  json: { type: 'boolean', help: 'print one JSON document on stdout (stable field names), nothing on stderr but errors' },
  'plain-http': { type: 'boolean', help: 'talk HTTP, not HTTPS, to the registry (loopback hosts use HTTP anyway)' },
  timeout: { type: 'string', value: 'DURATION', help: 'per-request timeout, e.g. 30s, 500ms, 2m (default 30s)' },
  verbose: { type: 'boolean', short: 'v', help: 'log each request on stderr (credentials redacted); stack traces on errors' },
  quiet: { type: 'boolean', short: 'q', help: 'no notes or progress on stderr' },
  username: { type: 'string', short: 'u', value: 'USER', help: 'registry username (or REGKIT_USERNAME)' },
  'password-stdin': { type: 'boolean', help: 'read the password or token from stdin (or REGKIT_PASSWORD)' },
  help: { type: 'boolean', short: 'h', help: 'show help for the command' },
} as const satisfies Record<string, OptionSpec>;

/** The global flags, parsed. */
export interface GlobalOptions {
  readonly json: boolean;
  readonly plainHttp: boolean;
  readonly timeoutMs: number | undefined;
  readonly verbose: boolean;
  readonly quiet: boolean;
  readonly username: string | undefined;
  readonly passwordStdin: boolean;
}

/** Reads the global flags out of `parseArgs` values. */
export function globalOptions(values: Record<string, unknown>): GlobalOptions {
  const timeout = values.timeout as string | undefined;
  return {
    json: values.json === true,
    plainHttp: values['plain-http'] === true,
    timeoutMs: timeout === undefined ? undefined : parseDuration('--timeout', timeout),
    verbose: values.verbose === true,
    quiet: values.quiet === true,
    username: values.username as string | undefined,
    passwordStdin: values['password-stdin'] === true,
  };
}
