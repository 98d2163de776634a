import { InvalidOptionError } from '../errors';
import type { HttpMethod } from '../transport';

/**
 * When and how core repeats a failed request. Plain data with documented
 * defaults ({@link DEFAULT_RETRY_POLICY}); pass a partial object to
 * `new Registry({ retry })` to change any field, or `{ limit: 0 }` to turn
 * retries off.
 */
export interface RetryPolicy {
  /** Retries after the first attempt. Default 2. */
  readonly limit: number;
  /** Methods that may be repeated: only idempotent ones. Default GET and HEAD. */
  readonly methods: readonly HttpMethod[];
  /** Statuses worth repeating. Default 429, 502, 503, 504. */
  readonly statusCodes: readonly number[];
  /** Repeat when no response arrived (connection refused or reset, timeouts). Default true. */
  readonly onNetworkError: boolean;
  /** First backoff delay in milliseconds; doubles each retry. Default 250. */
  readonly initialDelayMs: number;
  /** Cap on one backoff delay. Default 10 000. */
  readonly maxDelayMs: number;
  /**
   * Longest `Retry-After` honoured, in milliseconds. A registry asking for a
   * longer wait gets the error at once instead of a stalled caller. Default 60 000.
   */
  readonly maxRetryAfterMs: number;
}

/** The policy used when a registry is created without `retry`. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  limit: 2,
  methods: Object.freeze(['GET', 'HEAD'] as HttpMethod[]),
  statusCodes: Object.freeze([429, 502, 503, 504]),
  onNetworkError: true,
  initialDelayMs: 250,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
});

function nonNegativeInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidOptionError(
      `retry.${name}`,
      `@regkit/core: retry.${name} must be a non-negative integer, got ${String(value)}`,
    );
  }
  return value;
}

/** Merges a partial policy over the defaults, validating every field. */
export function resolveRetryPolicy(partial: Partial<RetryPolicy> | undefined): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...partial };
  nonNegativeInteger('limit', policy.limit);
  nonNegativeInteger('initialDelayMs', policy.initialDelayMs);
  nonNegativeInteger('maxDelayMs', policy.maxDelayMs);
  nonNegativeInteger('maxRetryAfterMs', policy.maxRetryAfterMs);
  if (!Array.isArray(policy.methods) || !Array.isArray(policy.statusCodes)) {
    throw new InvalidOptionError('retry', '@regkit/core: retry.methods and retry.statusCodes must be arrays');
  }
  return Object.freeze(policy);
}

/**
 * `Retry-After` as milliseconds: delta-seconds or an HTTP date (RFC 9110
 * §10.2.3). Undefined when absent or unparseable.
 */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * Exponential backoff with full jitter: a random delay up to the exponential
 * bound, so clients that failed together do not retry together.
 */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const bound = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** retry);
  return Math.round(bound * random());
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) {
    signal?.throwIfAborted();
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * When a host asked everybody to wait (429 or 503 with `Retry-After`), all
 * concurrent calls to it wait, instead of each spending its own retries.
 */
export class HostBackoff {
  readonly #until = new Map<string, number>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Records that `origin` asked for `ms` of quiet. */
  pause(origin: string, ms: number): void {
    const until = this.#now() + ms;
    if (until > (this.#until.get(origin) ?? 0)) this.#until.set(origin, until);
  }

  /** Milliseconds left before `origin` may be called again. */
  remaining(origin: string): number {
    const until = this.#until.get(origin);
    if (until === undefined) return 0;
    const left = until - this.#now();
    if (left <= 0) this.#until.delete(origin);
    return Math.max(0, left);
  }

  /** Waits out any pause of `origin`. */
  async wait(origin: string, signal?: AbortSignal): Promise<void> {
    for (let left = this.remaining(origin); left > 0; left = this.remaining(origin)) await sleep(left, signal);
  }
}
