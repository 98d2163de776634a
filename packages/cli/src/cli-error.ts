/** Exit codes, documented in `regkit --help` and the README. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  auth: 4,
} as const;

/** The process exit status regkit uses. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * An error the CLI reports as it is: a one-line message, an optional hint
 * (what to try), and the exit code.
 */
export class CliError extends Error {
  readonly exitCode: ExitCodeValue;
  readonly hint: string | undefined;

  constructor(message: string, exitCode: ExitCodeValue, hint?: string) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.hint = hint;
  }
}

/** A mistake in the command line itself (exit 2). */
export function usageError(message: string, hint?: string): CliError {
  return new CliError(message, ExitCode.usage, hint);
}
