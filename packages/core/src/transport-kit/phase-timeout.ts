/** A signal that aborts when the caller's does or when a timer runs out. */
export interface PhaseTimeout {
  /** Pass this to the HTTP library instead of the caller's signal. */
  readonly signal: AbortSignal | undefined;
  /** Stops the timer and detaches from the caller's signal; call once the phase is over. */
  clear(): void;
}

/**
 * Times one phase of a request (e.g. until the response headers) with a
 * plain timer, so the limit holds to the millisecond where a library's own
 * timers are coarse (undici checks its timeouts about once a second). When
 * the timer fires, the returned signal aborts with `timeoutError()`, which
 * the library then rejects with; it receives the milliseconds actually
 * waited, for the message. `0` means no timer: the caller's signal is
 * returned as is.
 */
export function startPhaseTimeout(
  signal: AbortSignal | undefined,
  timeoutMs: number,
  timeoutError: (waitedMs: number) => unknown,
): PhaseTimeout {
  if (timeoutMs <= 0) return { signal, clear: () => undefined };
  const controller = new AbortController();
  const forward = () => controller.abort(signal?.reason);
  if (signal?.aborted) forward();
  else signal?.addEventListener('abort', forward, { once: true });
  const started = performance.now();
  const timer = setTimeout(() => controller.abort(timeoutError(performance.now() - started)), timeoutMs);
  return {
    signal: controller.signal,
    clear() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', forward);
    },
  };
}
