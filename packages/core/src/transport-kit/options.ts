import { InvalidOptionError } from '../errors/option-errors';
import { assertKnownOptions } from '../known-options';
import { isTimerMs, MAX_TIMER_MS } from '../timer-ms';

/** What a transport factory accepts, for {@link checkTransportOptions}. */
export interface TransportOptionsPolicy {
  /** Prefix of messages, e.g. `@regkit/transport-undici`. */
  readonly source: string;
  /** The factory, as messages name it, e.g. `createUndiciTransport()`. */
  readonly factory: string;
  /** Every option name the factory knows. */
  readonly known: readonly string[];
  /**
   * A sentence for names that are common mistakes. When `httpProxy` is
   * known, `proxy` gets a pointer to it without asking.
   */
  readonly hints?: Readonly<Record<string, string>>;
  /** Options that must be `true` or `false` when given. */
  readonly booleans?: readonly string[];
  /** Options that must be safe integers of at least the given minimum when given. */
  readonly integers?: Readonly<Record<string, number>>;
  /** Timer options in milliseconds, with their minimum: at most 2³¹−1 (see {@link assertTimerOption}). */
  readonly timers?: Readonly<Record<string, number>>;
}

/** What {@link checkTransportOptions} resolved. */
export interface CheckedTransportOptions {
  /** The `tls` option as Node.js TLS settings ({@link resolveTlsOptions}), if given. */
  readonly tls: ResolvedTls | undefined;
}

/**
 * Checks a transport factory's options: an object, every name known (a
 * misspelt one gets a "did you mean" hint), booleans boolean, integers in
 * range and a `tls` option (when `tls` is a known name) valid, so a typo
 * fails at creation instead of silently running with defaults.
 *
 * @throws InvalidOptionError naming the option
 */
export function checkTransportOptions(options: unknown, policy: TransportOptionsPolicy): CheckedTransportOptions {
  const { source, factory } = policy;
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', `${source}: ${factory}: options must be an object`);
  }
  // `proxy` is `Registry`'s mirror option; on a transport it almost always means the forward proxy.
  const proxyHint = policy.known.includes('httpProxy') && {
    proxy: 'an HTTP forward proxy is `httpProxy`; a registry mirror is `Registry`’s `proxy`',
  };
  assertKnownOptions(source, factory, options, policy.known, { ...proxyHint, ...policy.hints });
  for (const name of policy.booleans ?? []) {
    const value: unknown = (options as Record<string, unknown>)[name];
    if (value !== undefined && typeof value !== 'boolean') {
      throw new InvalidOptionError(name, `${source}: ${factory}: \`${name}\` must be a boolean`);
    }
  }
  for (const [name, min] of Object.entries(policy.integers ?? {})) assertIntegerOption(source, options, name, min);
  for (const [name, min] of Object.entries(policy.timers ?? {})) assertTimerOption(source, options, name, min);
  return { tls: policy.known.includes('tls') ? resolveTlsOptions(source, (options as { tls?: unknown }).tls) : undefined };
}

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
  /** The PEM certificates to trust instead of the platform's list, when `tls.ca` was given. */
  readonly ca?: string[];
  /** `false` only when the caller opted in with `tls.insecure: true`. */
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
