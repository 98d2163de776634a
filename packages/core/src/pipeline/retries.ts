import { NetworkError, RegistryResponseError, TransportError } from '../errors';
import { summarizeRequest } from '../redact';
import type { HttpMethod, RequestBody } from '../transport';
import { annotateError } from './error-context';
import { emitSafely, type RegistryEventListener } from './events';
import { backoffDelay, type HostBackoff, type RetryPolicy, sleep } from './retry-policy';

/** What the retry stage needs to know about a request. */
export interface RetryableRequest {
  readonly method: HttpMethod;
  readonly body?: RequestBody | undefined;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Repeats failed attempts the policy allows: idempotent methods with a
 * replayable body, after a jittered backoff or the registry's `Retry-After`
 * (which pauses every call to that host). It never repeats what cannot heal:
 * a `NetworkError` with `retryable: false` (a name that does not resolve, a
 * certificate that does not verify, a blocked port), a refusal by policy
 * (credential guard, redirect rule, invalid option) or an abort. The error
 * that gets out carries the number of attempts and the redacted request.
 */
export class Retries {
  readonly #policy: RetryPolicy;
  readonly #backoff: HostBackoff;
  readonly #origin: string;
  readonly #listener: RegistryEventListener | undefined;

  constructor(policy: RetryPolicy, backoff: HostBackoff, origin: string, listener: RegistryEventListener | undefined) {
    this.#policy = policy;
    this.#backoff = backoff;
    this.#origin = origin;
    this.#listener = listener;
  }

  /** Runs `attempt` (numbered from 1) until it succeeds or must not be repeated; `url` is the request's absolute URL. */
  async run<T>(request: RetryableRequest, url: string, attempt: (n: number) => Promise<T>): Promise<T> {
    const repeatable = this.#policy.methods.includes(request.method) && !(request.body instanceof ReadableStream);
    const started = Date.now();
    for (let n = 1; ; n++) {
      // Only a host paused by `Retry-After` costs a wait; the usual path is one map lookup.
      const paused = this.#backoff.remaining(this.#origin);
      if (paused > 0) await this.#waitForHost(paused, request.signal);
      let delay: number | undefined;
      try {
        return await attempt(n);
      } catch (error) {
        delay = repeatable && n <= this.#policy.limit && !request.signal?.aborted ? this.#retryDelay(error, n - 1) : undefined;
        if (delay === undefined) {
          // The caller's abort reason is the caller's: it may be an error of another request (copyImage stops its transfers with the first failure).
          if (!(request.signal?.aborted && error === request.signal.reason)) {
            annotateError(error, n, () => summarizeRequest(request.method, url), Date.now() - started);
          }
          throw error;
        }
        if (this.#listener !== undefined) {
          const summary = summarizeRequest(request.method, url);
          emitSafely(this.#listener, {
            type: 'retry',
            method: summary.method,
            url: summary.url,
            attempt: n,
            delayMs: delay,
            reason: reasonOf(error),
          });
          if (delay > 0) emitSafely(this.#listener, { type: 'wait', reason: 'backoff', delayMs: delay, origin: this.#origin });
        }
      }
      await sleep(delay, request.signal);
    }
  }

  async #waitForHost(paused: number, signal: AbortSignal | undefined): Promise<void> {
    if (this.#listener !== undefined) {
      emitSafely(this.#listener, { type: 'wait', reason: 'rate-limit', delayMs: paused, origin: this.#origin });
    }
    await this.#backoff.wait(this.#origin, signal);
  }

  /** Milliseconds to wait before repeating after `error`, or undefined when it must not be repeated. */
  #retryDelay(error: unknown, retry: number): number | undefined {
    if (RegistryResponseError.isInstance(error)) {
      if (!this.#policy.statusCodes.includes(error.status)) return undefined;
      const { retryAfterMs } = error;
      if (retryAfterMs === undefined) return backoffDelay(this.#policy, retry);
      if (retryAfterMs > this.#policy.maxRetryAfterMs) return undefined;
      this.#backoff.pause(this.#origin, retryAfterMs);
      return 0;
    }
    if (NetworkError.isInstance(error) && !error.retryable) return undefined;
    if (TransportError.isInstance(error) && this.#policy.onNetworkError) return backoffDelay(this.#policy, retry);
    return undefined;
  }
}

function reasonOf(error: unknown): string {
  if (RegistryResponseError.isInstance(error)) return `${error.name} ${error.status}`;
  if (NetworkError.isInstance(error) && error.code !== undefined) return `${error.name} ${error.code}`;
  return error instanceof Error ? error.name : 'error';
}
