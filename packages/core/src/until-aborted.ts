/**
 * Waits for `promise`, or rejects with `signal`'s reason as soon as it
 * aborts, whichever comes first. For waits an authenticator or provider
 * cannot cancel itself (a credential helper process, a shared token fetch):
 * the caller stops waiting at once; the work itself runs to its end.
 *
 * @example
 * ```ts
 * import { untilAborted } from '@regkit/core/spec';
 *
 * const answer = await untilAborted(fetch('https://example.test/'), AbortSignal.timeout(1000));
 * ```
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
