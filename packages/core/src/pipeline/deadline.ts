import { TimeoutError } from '../errors';

/** One attempt's time limit, combined with the caller's signal. */
export interface Deadline {
  /** Aborts with a `TimeoutError` when the time is up, or with the caller's reason. */
  readonly signal: AbortSignal;
  /** Stops the timer: the attempt is over (a streamed body then runs on the caller's signal alone). */
  clear(): void;
}

/**
 * Starts the per-attempt deadline. Each attempt gets the whole `timeoutMs`;
 * an overall limit across retries is the caller's `signal`
 * (`AbortSignal.timeout(ms)`).
 */
export function startDeadline(callerSignal: AbortSignal | undefined, timeoutMs: number): Deadline {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new TimeoutError('request', timeoutMs)), timeoutMs);
  const signal = callerSignal ? AbortSignal.any([callerSignal, controller.signal]) : controller.signal;
  return { signal, clear: () => clearTimeout(timer) };
}
