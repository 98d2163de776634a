import type { HeaderMap } from './transport';

/**
 * A registry's pull budget as it last reported it. Docker Hub sends
 * `RateLimit-Limit: 100;w=21600` and `RateLimit-Remaining: 76;w=21600` on
 * manifest requests (a GET counts, a HEAD does not); registries without a
 * budget send nothing.
 */
export interface RateLimitState {
  /** Requests allowed per window. */
  readonly limit: number;
  /** Requests left in the current window. */
  readonly remaining: number;
  /** Window length in seconds, when the registry gave one (`w=`). */
  readonly windowSeconds: number | undefined;
  /** Who the budget belongs to (`Docker-RateLimit-Source`), when sent. */
  readonly source: string | undefined;
  /** When this state was read (ms since the epoch). */
  readonly observedAt: number;
}

function parseQuota(value: string | undefined): { count: number; window: number | undefined } | undefined {
  if (value === undefined) return undefined;
  // `100;w=21600`; some servers list several policies separated by commas: the first is the binding one.
  const first = value.split(',')[0]?.trim() ?? '';
  const [countPart, ...params] = first.split(';');
  const count = Number(countPart?.trim());
  if (countPart === undefined || !/^\d+$/.test(countPart.trim()) || !Number.isSafeInteger(count)) return undefined;
  let window: number | undefined;
  for (const param of params) {
    const match = /^\s*w\s*=\s*(\d+)\s*$/i.exec(param);
    if (match?.[1] !== undefined) window = Number(match[1]);
  }
  return { count, window };
}

/** Reads `RateLimit-Limit` / `RateLimit-Remaining`; undefined when either is absent or malformed. */
export function parseRateLimit(headers: Readonly<HeaderMap>, now: number = Date.now()): RateLimitState | undefined {
  const limit = parseQuota(headers['ratelimit-limit']);
  const remaining = parseQuota(headers['ratelimit-remaining']);
  if (limit === undefined || remaining === undefined) return undefined;
  return {
    limit: limit.count,
    remaining: remaining.count,
    windowSeconds: remaining.window ?? limit.window,
    source: headers['docker-ratelimit-source'],
    observedAt: now,
  };
}
