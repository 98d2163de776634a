import { InvalidOptionError } from './errors';
import { type RetryPolicy, resolveRetryPolicy } from './pipeline/retry-policy';
import { isTimerMs, MAX_TIMER_MS } from './timer-ms';

/**
 * Checks of `new Registry()` option values, one function per kind of value,
 * so the constructor reads as a list of options. Each throws
 * `InvalidOptionError` naming the option and showing what was given.
 */

/** Shows a rejected value without echoing a long or odd one whole. */
function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
  if (typeof value === 'number') return String(value);
  return value === null ? 'null' : typeof value;
}

/** A positive safe integer (a byte cap, a page size), or `fallback` when not given. */
export function positiveInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidOptionError(name, `@regkit/core: ${name} must be a positive integer, got ${shown(value)}`);
  }
  return value;
}

/** A timer in milliseconds of at least `min` and at most 2³¹−1, or `fallback` when not given. */
export function timerMs(name: string, value: unknown, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!isTimerMs(value, min)) {
    throw new InvalidOptionError(
      name,
      `@regkit/core: ${name} must be an integer number of milliseconds from ${min} to ${MAX_TIMER_MS} ` +
        `(the longest timer the platform honours), got ${shown(value)}`,
    );
  }
  return value;
}

/** The timers of a `retry` option; its other fields are checked with the policy. */
const RETRY_TIMERS = ['initialDelayMs', 'maxDelayMs', 'maxRetryAfterMs'] as const;

/**
 * The retry policy from the `retry` option. Its delays must fit a timer
 * (a `Retry-After` wait of up to `maxRetryAfterMs` is one `setTimeout`);
 * the policy checks the rest.
 */
export function retryPolicy(retry: Partial<RetryPolicy> | undefined): RetryPolicy {
  if (typeof retry === 'object' && retry !== null) {
    for (const name of RETRY_TIMERS) timerMs(`retry.${name}`, retry[name], 0, 0);
  }
  return resolveRetryPolicy(retry);
}

// Visible ASCII and Latin-1 text plus inner spaces: what an HTTP field value may carry. No CR, LF, NUL or
// other control character, which would split the header or be stripped by some transports and not others.
const FIELD_VALUE = /^[\x21-\x7e\x80-\xff](?:[\x20-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?$/;
const MAX_USER_AGENT_LENGTH = 1024;

/** The `User-Agent` to send: a non-empty header value without control characters. */
export function userAgent(value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.length > MAX_USER_AGENT_LENGTH || !FIELD_VALUE.test(value)) {
    throw new InvalidOptionError(
      'userAgent',
      `@regkit/core: userAgent must be a non-empty header value of at most ${MAX_USER_AGENT_LENGTH} characters ` +
        `without control characters (CR, LF, NUL…) or surrounding spaces, got ${shown(value)}`,
    );
  }
  return value;
}
