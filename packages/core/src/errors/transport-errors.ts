import { RegkitError } from './regkit-error';

/** No HTTP response arrived: connection refused or reset, DNS failure, TLS failure. */
export class TransportError extends RegkitError {
  static override readonly kind: string = 'TransportError';
}

/** The phase of a request that timed out. */
export type TimeoutPhase = 'connect' | 'headers' | 'body' | 'request';

/** A request took longer than one of its timeouts. */
export class TimeoutError extends TransportError {
  static override readonly kind: string = 'TimeoutError';
  /** Which timeout fired. */
  readonly phase: TimeoutPhase;
  /** The timeout in milliseconds. */
  readonly timeoutMs: number;

  constructor(phase: TimeoutPhase, timeoutMs: number, options?: ErrorOptions) {
    super(`${phase} timeout after ${timeoutMs} ms`, options);
    this.phase = phase;
    this.timeoutMs = timeoutMs;
  }
}

/** Core refused to follow a redirect (too many hops, a downgrade to http, a non-http scheme). */
export class RedirectError extends RegkitError {
  static override readonly kind: string = 'RedirectError';
}

/** A paginated listing broke a safety rail (page cap, cross-origin link, a loop). */
export class PaginationError extends RegkitError {
  static override readonly kind: string = 'PaginationError';
}
