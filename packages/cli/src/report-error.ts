import {
  AuthenticationError,
  AuthTokenNoBearerError,
  ForbiddenError,
  InvalidOptionError,
  InvalidReferenceError,
  RegistryMismatchError,
  RegistryResponseError,
  ResourceNotFoundError,
  TimeoutError,
  TooManyRequestsError,
  TransportError,
  UnauthorizedError,
  UnsupportedOperationError,
} from '@regkit/core';
import { CredentialHelperError, DockerConfigError } from '@regkit/docker-config';
import { CliError, ExitCode, type ExitCodeValue } from './cli-error';

/** How a failure is reported: one line, a hint, an exit code. */
export interface Failure {
  readonly exitCode: ExitCodeValue;
  readonly message: string;
  readonly hint: string | undefined;
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // One line: registries sometimes put newlines in their error text.
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** Maps any error to the CLI's exit codes and a hint on what to try. */
export function classify(error: unknown, subject?: string): Failure {
  const detail = messageOf(error);
  const about = (what: string): string => (subject === undefined ? detail : `${what} ${subject}: ${detail}`);
  const message = detail;
  if (error instanceof CliError) return { exitCode: error.exitCode, message, hint: error.hint };
  if (InvalidOptionError.isInstance(error) && /_PROXY$/.test(error.option)) {
    return {
      exitCode: ExitCode.usage,
      message,
      hint: `set ${error.option} to an http proxy origin, e.g. http://proxy.internal:3128, or unset it`,
    };
  }
  if (
    InvalidReferenceError.isInstance(error) ||
    InvalidOptionError.isInstance(error) ||
    RegistryMismatchError.isInstance(error)
  ) {
    return { exitCode: ExitCode.usage, message, hint: 'check the reference: [registry/]repository[:tag|@digest]' };
  }
  if (ResourceNotFoundError.isInstance(error)) {
    return {
      exitCode: ExitCode.notFound,
      message: about('not found:'),
      hint: 'check the repository and tag, e.g. with `regkit tags <repository>`',
    };
  }
  // A registry that wants Basic credentials while none were given: the same advice as a 401.
  if (UnauthorizedError.isInstance(error) || AuthTokenNoBearerError.isInstance(error)) {
    return {
      exitCode: ExitCode.auth,
      message: about('not authorized for'),
      hint: 'log in with `regkit login <registry>`, or pass --username with --password-stdin (or REGKIT_USERNAME/REGKIT_PASSWORD); on Docker Hub this also means the repository may not exist',
    };
  }
  if (ForbiddenError.isInstance(error)) {
    return {
      exitCode: ExitCode.auth,
      message: about('access denied to'),
      hint: 'these credentials may not do this; use an account with access',
    };
  }
  if (AuthenticationError.isInstance(error)) {
    return {
      exitCode: ExitCode.auth,
      message: about('could not authenticate for'),
      hint: 'check the username and password, and that the registry may receive them',
    };
  }
  if (TooManyRequestsError.isInstance(error)) {
    return {
      exitCode: ExitCode.failure,
      message,
      hint: 'the registry is rate limiting: wait, or log in for a larger budget (`regkit ratelimit <ref>`)',
    };
  }
  if (UnsupportedOperationError.isInstance(error)) {
    return { exitCode: ExitCode.failure, message, hint: 'this registry does not offer the operation (e.g. deletes disabled)' };
  }
  if (TimeoutError.isInstance(error)) {
    return {
      exitCode: ExitCode.failure,
      message: about('timed out on'),
      hint: 'the registry is slow or unreachable: try a longer --timeout',
    };
  }
  if (TransportError.isInstance(error)) {
    return {
      exitCode: ExitCode.failure,
      message: about('cannot reach the registry for'),
      hint: 'check the registry host and port, your network, and --plain-http for registries that speak HTTP',
    };
  }
  if (DockerConfigError.isInstance(error) || CredentialHelperError.isInstance(error)) {
    return {
      exitCode: ExitCode.failure,
      message,
      hint: 'check the Docker config ($DOCKER_CONFIG/config.json or ~/.docker/config.json) and its credential helper',
    };
  }
  if (RegistryResponseError.isInstance(error) && error.status === 407) {
    return {
      exitCode: ExitCode.auth,
      message: about('the proxy wants credentials for'),
      hint: 'put them in the proxy URL: HTTPS_PROXY=http://user:password@proxy:port (HTTP_PROXY for http registries)',
    };
  }
  if (RegistryResponseError.isInstance(error))
    return { exitCode: ExitCode.failure, message: about('registry error for'), hint: undefined };
  return { exitCode: ExitCode.failure, message, hint: undefined };
}

/** The line printed on stderr: `regkit <command>: <what> (hint: <what to try>)`. */
export function formatFailure(command: string, failure: Failure): string {
  const prefix = command === '' ? 'regkit' : `regkit ${command}`;
  return `${prefix}: ${failure.message}${failure.hint === undefined ? '' : ` (hint: ${failure.hint})`}`;
}
