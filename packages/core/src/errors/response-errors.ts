import type { RateLimitState } from '../rate-limit';
import { RegkitError } from './regkit-error';

/** One entry of the OCI error envelope `{"errors":[{code,message,detail}]}`. */
export interface OciErrorEntry {
  /** Upper-snake error code, e.g. `MANIFEST_UNKNOWN`. */
  readonly code: string;
  /** Human-readable message, when the registry gave one. */
  readonly message?: string;
  /** Free-form detail, when the registry gave one. */
  readonly detail?: unknown;
}

/** The request that failed, with credentials and signed query parameters removed. */
export interface RequestSummary {
  /** The HTTP method. */
  readonly method: string;
  /** The URL without user info and with secret-bearing query values replaced by `REDACTED`. */
  readonly url: string;
}

/** What a failed response carried, already size-capped. */
export interface ResponseErrorInit {
  /** The HTTP status. */
  readonly status: number;
  /** The redacted request. */
  readonly request: RequestSummary;
  /** Parsed OCI error entries; empty when the body was not the OCI envelope. */
  readonly errors?: readonly OciErrorEntry[];
  /** The start of a non-JSON body (e.g. `404 page not found`), at most 1 KiB. */
  readonly bodyText?: string;
  /** Milliseconds the registry asked to wait (`Retry-After`), when it did. */
  readonly retryAfterMs?: number | undefined;
  /** The rate-limit budget the response reported, when it did. */
  readonly rateLimit?: RateLimitState | undefined;
}

function describe(init: ResponseErrorInit): string {
  const first = init.errors?.[0];
  const reason = first
    ? `${first.code}${first.message ? `: ${first.message}` : ''}`
    : (init.bodyText?.trim().slice(0, 200) ?? '');
  return `${init.request.method} ${init.request.url} failed with HTTP ${init.status}${reason ? ` (${reason})` : ''}`;
}

/**
 * The registry answered with a non-2xx status. Subclasses name the common
 * cases; `errors` carries the OCI error body.
 */
export class RegistryResponseError extends RegkitError {
  static override readonly kind: string = 'RegistryResponseError';
  /** The HTTP status. */
  readonly status: number;
  /** The OCI error entries (`errors[].code/message/detail`), possibly empty. */
  readonly errors: readonly OciErrorEntry[];
  /** The redacted request. */
  override readonly request: RequestSummary;
  /** The start of a non-JSON body, when there was one. */
  readonly bodyText: string | undefined;
  /** Milliseconds the registry asked to wait before trying again (`Retry-After`), when it did. */
  readonly retryAfterMs: number | undefined;
  /** The rate-limit budget the response reported (Docker Hub), when it did. */
  readonly rateLimit: RateLimitState | undefined;

  constructor(init: ResponseErrorInit, message: string = describe(init)) {
    super(message);
    this.status = init.status;
    this.errors = init.errors ?? [];
    this.request = init.request;
    this.bodyText = init.bodyText;
    this.retryAfterMs = init.retryAfterMs;
    this.rateLimit = init.rateLimit;
  }

  /** True when repeating the same request later may succeed (429, 5xx, `TOOMANYREQUESTS`, `UNAVAILABLE`). */
  get retryable(): boolean {
    return (
      this.status === 429 ||
      this.status >= 500 ||
      this.errors.some((e) => e.code === 'TOOMANYREQUESTS' || e.code === 'UNAVAILABLE')
    );
  }
}

/** 404: the repository, manifest, tag or blob does not exist (or is hidden from these credentials). */
export class ResourceNotFoundError extends RegistryResponseError {
  static override readonly kind: string = 'ResourceNotFoundError';
}

/** 401 that authentication could not overcome. */
export class UnauthorizedError extends RegistryResponseError {
  static override readonly kind: string = 'UnauthorizedError';
}

/** 403: authenticated, but not allowed. */
export class ForbiddenError extends RegistryResponseError {
  static override readonly kind: string = 'ForbiddenError';
}

/** 405: the registry does not support the operation (e.g. delete disabled). */
export class UnsupportedOperationError extends RegistryResponseError {
  static override readonly kind: string = 'UnsupportedOperationError';
}

/**
 * 429: rate limited. `retryAfterMs` says how long the registry asked to wait
 * and `rateLimit` the budget it reported (Docker Hub), when they were sent.
 */
export class TooManyRequestsError extends RegistryResponseError {
  static override readonly kind: string = 'TooManyRequestsError';
}

/** 5xx: the registry failed. */
export class ServerError extends RegistryResponseError {
  static override readonly kind: string = 'ServerError';
}
