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
  /**
   * How long the request actually waited, when the timer measured it: a
   * library's coarse timer may fire well after `timeoutMs`.
   */
  readonly waitedMs: number | undefined;

  constructor(phase: TimeoutPhase, timeoutMs: number, options?: ErrorOptions & { readonly waitedMs?: number }) {
    const waitedMs = options?.waitedMs === undefined ? undefined : Math.round(options.waitedMs);
    // The message says the time waited: that is what the user lived through, and what a coarse timer distorts.
    super(
      waitedMs === undefined
        ? `${phase} timeout after ${timeoutMs} ms`
        : `${phase} timeout after ${waitedMs} ms (limit ${timeoutMs} ms)`,
      options,
    );
    this.phase = phase;
    this.timeoutMs = timeoutMs;
    this.waitedMs = waitedMs;
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
