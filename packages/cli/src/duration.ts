import { usageError } from './cli-error';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

/** `--timeout` values: `30s`, `500ms`, `2m`, or a bare number of seconds. */
export function parseDuration(flag: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  const amount = match?.[1] === undefined ? Number.NaN : Number(match[1]) * (UNITS[match[2] ?? 's'] as number);
  if (!Number.isFinite(amount) || amount < 1) {
    throw usageError(`${flag} must be a duration such as 30s, 500ms or 2m, got ${JSON.stringify(text)}`);
  }
  return Math.round(amount);
}
