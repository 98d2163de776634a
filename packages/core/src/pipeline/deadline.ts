import { TimeoutError } from '../errors';
import type { RequestBody } from '../transport';
import { onBodyEnd } from './body-end';

/** One attempt's time limit, combined with the caller's signal. */
export interface Deadline {
  /** Aborts with a `TimeoutError` when the time is up, or with the caller's reason. */
  readonly signal: AbortSignal;
  /** Stops the timer: the attempt is over (a streamed body then runs on the caller's signal alone). */
  clear(): void;
}

/** A deadline together with the request body to send under it. */
export interface AttemptDeadline extends Deadline {
  /** The body to send: a stream body is passed through so that the timer starts at its end. */
  readonly body: RequestBody | undefined;
}

/**
 * Starts the per-attempt deadline. Each attempt gets the whole `timeoutMs`;
 * an overall limit across retries is the caller's `signal`
 * (`AbortSignal.timeout(ms)`).
 *
 * With a stream body the timer starts once the transport has read the body
 * to its end: the time a large upload takes to send depends on its size and
 * the link, not on how fast the registry answers, so it is bounded by the
 * caller's signal alone.
 */
export function startDeadline(callerSignal: AbortSignal | undefined, timeoutMs: number, body?: RequestBody): AttemptDeadline {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let cleared = false;
  const arm = () => {
    if (cleared || timer !== undefined) return;
    timer = setTimeout(() => controller.abort(new TimeoutError('request', timeoutMs)), timeoutMs);
  };
  const signal = callerSignal ? AbortSignal.any([callerSignal, controller.signal]) : controller.signal;
  const clear = () => {
    cleared = true;
    clearTimeout(timer);
  };
  if (!(body instanceof ReadableStream)) {
    arm();
    return { signal, clear, body };
  }
  return { signal, clear, body: onBodyEnd(body, arm) };
}
