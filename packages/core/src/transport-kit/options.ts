import { InvalidOptionError } from '../errors/option-errors';
import { isTimerMs, MAX_TIMER_MS } from '../timer-ms';

/**
 * Checks that `options[name]`, when given, is a safe integer of at least
 * `min`; the message starts with `source` and shows what was given.
 *
 * @throws InvalidOptionError naming the option
 */
export function assertIntegerOption(source: string, options: object, name: string, min: number): void {
  const value: unknown = (options as Record<string, unknown>)[name];
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new InvalidOptionError(
      name,
      `${source}: \`${name}\` must be an integer >= ${min}, got ${typeof value === 'number' ? value : typeof value}`,
    );
  }
}

/**
 * Checks that `options[name]`, when given, is a timer in milliseconds from
 * `min` to 2³¹−1: a longer delay makes the platform fire after 1 ms, so the
 * request would time out at once instead of never.
 *
 * @throws InvalidOptionError naming the option
 */
export function assertTimerOption(source: string, options: object, name: string, min: number): void {
  assertIntegerOption(source, options, name, min);
  const value: unknown = (options as Record<string, unknown>)[name];
  if (value !== undefined && !isTimerMs(value, min)) {
    throw new InvalidOptionError(
      name,
      `${source}: \`${name}\` must be an integer from ${min} to ${MAX_TIMER_MS} (milliseconds; the longest timer the platform honours), got ${String(value)}`,
    );
  }
}

/** TLS settings a Node.js transport accepts, checked by {@link resolveTlsOptions}. */
export interface TlsOptions {
  /**
   * Certificate authorities to trust, PEM text (one string or several),
   * instead of the platform's list: for a registry with a private CA.
   */
  readonly ca?: string | readonly string[];
  /**
   * Skips certificate verification. Only for test registries with
   * self-signed certificates: anyone on the path can then read and change
   * the traffic, credentials included. Must be exactly `true` to take effect.
   */
  readonly insecure?: boolean;
}

/** What Node's `tls.connect` takes for {@link TlsOptions}. */
export interface ResolvedTls {
  readonly ca?: string[];
  readonly rejectUnauthorized?: false;
}

const PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/**
 * Checks a transport's `tls` option and returns the matching Node.js TLS
 * options. The message never repeats a certificate.
 *
 * @throws InvalidOptionError for unknown fields, a `ca` that is not PEM text, or a non-boolean `insecure`
 */
export function resolveTlsOptions(source: string, tls: unknown): ResolvedTls | undefined {
  if (tls === undefined) return undefined;
  const fail = (message: string): never => {
    throw new InvalidOptionError('tls', `${source}: ${message}`);
  };
  if (typeof tls !== 'object' || tls === null) fail('`tls` must be an object: { ca?, insecure? }');
  for (const key of Object.keys(tls as object)) {
    if (key !== 'ca' && key !== 'insecure') fail(`\`tls\` has no option \`${key}\`; known options: ca, insecure`);
  }
  const { ca, insecure } = tls as { ca?: unknown; insecure?: unknown };
  if (insecure !== undefined && typeof insecure !== 'boolean') fail('`tls.insecure` must be a boolean');
  let list: string[] | undefined;
  if (ca !== undefined) {
    list = typeof ca === 'string' ? [ca] : Array.isArray(ca) ? [...(ca as unknown[])].map(String) : [];
    if (list.length === 0 || list.some((pem) => !PEM.test(pem))) {
      fail('`tls.ca` must be PEM text (-----BEGIN CERTIFICATE-----…), or a non-empty list of them');
    }
  }
  if (insecure === true && list !== undefined) fail('give either `tls.ca` or `tls.insecure: true`, not both');
  return {
    ...(list !== undefined && { ca: list }),
    ...(insecure === true && { rejectUnauthorized: false as const }),
  };
}
