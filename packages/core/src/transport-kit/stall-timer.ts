/**
 * The stall timeout of a body: it runs while the consumer waits for the next
 * chunk and stops when the chunk arrives.
 *
 * One platform timer serves a whole body where timers can be re-armed and
 * un-referenced (Node.js and Bun: `refresh()`, `ref()`, `unref()`). A
 * `setTimeout` per chunk costs Node.js a timer list per chunk, and that
 * garbage alone raised the peak RSS of a 256 MiB blob copy by about 10 MiB.
 * Between waits the timer stays armed but un-referenced, so it never keeps a
 * process alive; when it fires outside a wait it does nothing. Elsewhere
 * (browsers, Deno) each wait gets its own `setTimeout`.
 */
export class StallTimer {
  readonly #ms: number;
  readonly #onStall: (waitedMs: number) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #waitingSince: number | undefined;

  /**
   * @param ms - the longest wait; `0` disables the timer
   * @param onStall - called once a wait has lasted `ms`, with the time waited
   */
  constructor(ms: number, onStall: (waitedMs: number) => void) {
    this.#ms = ms;
    this.#onStall = onStall;
  }

  /** The consumer starts waiting for a chunk. */
  start(): void {
    if (this.#ms <= 0) return;
    this.#waitingSince = performance.now();
    const timer = this.#timer;
    if (timer !== undefined && isReusable(timer)) {
      timer.refresh();
      timer.ref();
      return;
    }
    this.#timer = setTimeout(() => this.#fired(), this.#ms);
  }

  /** The chunk (or the end, or a failure) arrived. */
  stop(): void {
    this.#waitingSince = undefined;
    const timer = this.#timer;
    if (timer === undefined) return;
    if (isReusable(timer)) {
      timer.unref();
      return;
    }
    clearTimeout(timer);
    this.#timer = undefined;
  }

  /** The body is done: no timer is left behind. */
  dispose(): void {
    this.#waitingSince = undefined;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #fired(): void {
    const since = this.#waitingSince;
    if (since === undefined) {
      // Fired between waits: forget it, the next wait arms a new one.
      this.#timer = undefined;
      return;
    }
    this.#waitingSince = undefined;
    this.#timer = undefined;
    this.#onStall(performance.now() - since);
  }
}

interface ReusableTimer {
  refresh(): unknown;
  ref(): unknown;
  unref(): unknown;
}

function isReusable(timer: unknown): timer is ReusableTimer {
  const candidate = timer as Partial<ReusableTimer> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.refresh === 'function' &&
    typeof candidate.ref === 'function' &&
    typeof candidate.unref === 'function'
  );
}
