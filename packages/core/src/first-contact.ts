/** The first request's hold on a key; see {@link FirstContactGate}. */
export interface FirstContact {
  /**
   * Lets the waiting requests go. `contacted: true` once the authenticator
   * has seen the registry's answer, so later requests carry what it learned;
   * `false` when the first request failed first, so one waiter takes its
   * place. Only the first call counts.
   */
  release(contacted: boolean): void;
}

/**
 * Sends one request per key to the registry before any other, and holds the
 * rest until the authenticator has handled its answer.
 *
 * Without it, a burst of cold requests (`resolveAll` with 8 in flight) all
 * go out before anyone knows the registry wants a token, and each comes back
 * 401: seven wasted round trips, counted against Docker Hub's budget. The key
 * is the request's token scopes, because a token for one repository does not
 * open another; an open registry pays one serialized round trip per key.
 */
export class FirstContactGate {
  readonly #contacted = new Set<string>();
  readonly #inFlight = new Map<string, Promise<void>>();

  /**
   * Waits until requests for `key` may go. Resolves with a {@link FirstContact}
   * when the caller is the first and must release it, or undefined when the
   * key has already been contacted.
   */
  async enter(key: string, signal: AbortSignal): Promise<FirstContact | undefined> {
    for (;;) {
      if (this.#contacted.has(key)) return undefined;
      const pending = this.#inFlight.get(key);
      if (pending === undefined) return this.#claim(key);
      await whenSettledOrAborted(pending, signal);
    }
  }

  #claim(key: string): FirstContact {
    let open: () => void = () => {};
    this.#inFlight.set(
      key,
      new Promise<void>((resolve) => {
        open = resolve;
      }),
    );
    let released = false;
    return {
      release: (contacted) => {
        if (released) return;
        released = true;
        if (contacted) this.#contacted.add(key);
        this.#inFlight.delete(key);
        open();
      },
    };
  }
}

function whenSettledOrAborted(pending: Promise<void>, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    void pending.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

/** The gate key for a request's scopes: order does not matter. */
export function scopeKey(scopes: readonly string[]): string {
  return scopes.length <= 1 ? (scopes[0] ?? '') : [...scopes].sort().join(' ');
}
