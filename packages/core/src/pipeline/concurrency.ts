/**
 * The per-registry bound on requests in flight: a FIFO semaphore. Without
 * it, `Promise.all` over thousands of calls opens thousands of sockets, which
 * registries and their rate limiters treat as abuse.
 */

interface Waiter {
  readonly resolve: () => void;
  settled: boolean;
}

/** Slots for requests in flight, handed out first come, first served. */
export class RequestSlots {
  /** The most slots held at once. */
  readonly limit: number;
  #held = 0;
  readonly #queue: Waiter[] = [];
  #head = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Slots held now. */
  get held(): number {
    return this.#held;
  }

  /**
   * Takes a slot at once when one is free and nobody is queued; the success
   * path of a request stays synchronous (no promise, no allocation).
   */
  tryAcquire(): boolean {
    if (this.#held >= this.limit || this.#head < this.#queue.length) return false;
    this.#held++;
    return true;
  }

  /** Waits for a slot in arrival order; rejects with the signal's reason if it aborts first. */
  acquire(signal: AbortSignal | undefined): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    signal?.throwIfAborted();
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        if (waiter.settled) return;
        waiter.settled = true;
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        settled: false,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.#queue.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Returns a slot: the next waiter takes it over, or it becomes free. */
  release(): void {
    while (this.#head < this.#queue.length) {
      const next = this.#queue[this.#head] as Waiter;
      this.#head++;
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue.splice(0, this.#head);
        this.#head = 0;
      }
      if (next.settled) continue;
      next.settled = true;
      next.resolve();
      return;
    }
    this.#held--;
  }
}
