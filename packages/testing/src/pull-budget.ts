/** Options for the Docker Hub pull budget (`createFakeRegistry({ rateLimit })`). */
export interface RateLimitOptions {
  /** Pulls per window. Default: the profile's (Docker Hub: 100). */
  readonly limit?: number;
  /** Window length in seconds, as sent in `;w=`. Default: the profile's (Docker Hub: 21600). */
  readonly windowSeconds?: number;
  /** Pulls left at the start (and after `reset()`), for every source. Default `limit`. */
  readonly remaining?: number;
  /** `Docker-RateLimit-Source` of anonymous callers (Hub sends the client IP). Default `127.0.0.1`. */
  readonly anonymousSource?: string;
}

/**
 * `registry.rateLimit`: Docker Hub's pull budget, per source (the client IP
 * for anonymous pulls, the user for authenticated ones).
 */
export interface FakeRateLimit {
  /** Pulls per window. */
  readonly limit: number;
  /** Window length in seconds. */
  readonly windowSeconds: number;
  /** Pulls left for a source: a username, or the anonymous source (default). */
  remaining(source?: string): number;
  /** Sets the pulls left for a source (default: the anonymous one), e.g. 0 to test the 429. */
  setRemaining(remaining: number, source?: string): void;
}

function checkCount(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new TypeError(`[@regkit/testing] rateLimit.${name} must be a non-negative integer, got ${value}`);
  return value;
}

/** The budget behind {@link FakeRateLimit}. */
export class PullBudget implements FakeRateLimit {
  readonly limit: number;
  readonly windowSeconds: number;
  readonly anonymousSource: string;
  readonly #initial: number;
  readonly #remaining = new Map<string, number>();

  constructor(profile: { limit: number; windowSeconds: number }, options: RateLimitOptions = {}) {
    this.limit = checkCount('limit', options.limit ?? profile.limit);
    this.windowSeconds = checkCount('windowSeconds', options.windowSeconds ?? profile.windowSeconds);
    this.#initial = checkCount('remaining', options.remaining ?? this.limit);
    this.anonymousSource = options.anonymousSource ?? '127.0.0.1';
  }

  /** The source a caller's pulls count against. */
  sourceOf(username: string | null): string {
    return username ?? this.anonymousSource;
  }

  remaining(source: string = this.anonymousSource): number {
    return this.#remaining.get(source) ?? this.#initial;
  }

  setRemaining(remaining: number, source: string = this.anonymousSource): void {
    this.#remaining.set(source, checkCount('remaining', remaining));
  }

  /** Spends one pull. */
  take(source: string): void {
    this.#remaining.set(source, Math.max(0, this.remaining(source) - 1));
  }

  /** The headers Hub sends with the budget as it stands. */
  headers(source: string): Record<string, string> {
    return {
      'RateLimit-Limit': `${this.limit};w=${this.windowSeconds}`,
      'RateLimit-Remaining': `${this.remaining(source)};w=${this.windowSeconds}`,
      'Docker-RateLimit-Source': source,
    };
  }

  /** Back to the starting budget for everyone. */
  reset(): void {
    this.#remaining.clear();
  }
}
