import { RegkitError } from './regkit-error';

/** Base class of authentication failures raised by authenticators. */
export class AuthenticationError extends RegkitError {
  static override readonly kind: string = 'AuthenticationError';
}

/**
 * The registry rejected a token that should still be valid, even after one
 * fresh token was fetched: it was revoked, or the registry does not trust the
 * token service.
 */
export class AuthTokenInvalidError extends AuthenticationError {
  static override readonly kind: string = 'AuthTokenInvalidError';
}

/** The registry demanded authentication without a `Bearer` challenge where token auth needs one. */
export class AuthTokenNoBearerError extends AuthenticationError {
  static override readonly kind: string = 'AuthTokenNoBearerError';
}

/** The token service refused or failed a token request. */
export class TokenRequestError extends AuthenticationError {
  static override readonly kind: string = 'TokenRequestError';
  /** The token service's HTTP status, when it answered. */
  readonly status: number | undefined;

  constructor(message: string, status?: number, options?: ErrorOptions) {
    super(message, options);
    this.status = status;
  }
}

/** Credentials would have travelled somewhere they must not (a plain-http realm, another host). */
export class InsecureCredentialsError extends AuthenticationError {
  static override readonly kind: string = 'InsecureCredentialsError';
}
