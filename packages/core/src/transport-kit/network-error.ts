import { NetworkError } from '../errors/network-errors';
import { TimeoutError, type TimeoutPhase, TransportError } from '../errors/transport-errors';
import { redactUrl } from '../redact';
import type { HeaderMap } from '../transport';
import { scrubSecrets, secretValues } from './secrets';

/** A timeout phase a transport can report (the whole-request timeout is core's). */
export type TransportTimeoutPhase = Exclude<TimeoutPhase, 'request'>;

/** The request a network failure belongs to, as {@link NetworkErrorContext} names it. */
export interface FailedRequest {
  /** The HTTP method. */
  readonly method: string;
  /** The absolute URL; messages show it redacted. */
  readonly url: string;
  /** The headers sent; their values are kept out of every message and cause. */
  readonly headers?: Readonly<HeaderMap>;
}

/** What {@link mapNetworkError} needs to know about the failed request. */
export interface NetworkErrorContext {
  /** Prefix of messages: the package and transport, e.g. `@regkit/transport-undici`. */
  readonly source: string;
  /** The request that failed; its header values are kept out of every message and cause. */
  readonly request: FailedRequest;
  /** The caller's signal: once it aborted, its reason is the answer, whatever the library threw. */
  readonly signal?: AbortSignal | undefined;
  /** Whether the failure came while waiting for the response or while reading its body. */
  readonly during: 'request' | 'body';
  /** The timeouts in force, reported in `TimeoutError.timeoutMs` when the error does not state its own. */
  readonly timeouts?: Readonly<Partial<Record<TransportTimeoutPhase, number>>>;
  /**
   * Library codes that mean a timeout, beyond undici's (`UND_ERR_*_TIMEOUT`)
   * and the socket's own connect `ETIMEDOUT`. `'during'` takes the phase from
   * {@link NetworkErrorContext.during} (headers or body).
   */
  readonly timeoutCodes?: Readonly<Record<string, TransportTimeoutPhase | 'during'>>;
  /** Replaces the error kept as `cause`. Default: {@link detachedCause}. */
  readonly causeOf?: (error: unknown) => unknown;
  /** Messages for library codes that would mislead as they are, e.g. axios' `ERR_CANCELED` for its own cancels. */
  readonly explain?: Readonly<Record<string, string>>;
}

const TIMEOUT_CODES: Readonly<Record<string, TransportTimeoutPhase>> = {
  UND_ERR_CONNECT_TIMEOUT: 'connect',
  UND_ERR_HEADERS_TIMEOUT: 'headers',
  UND_ERR_BODY_TIMEOUT: 'body',
};

// Defaults of Node's global undici dispatcher, for a timeout that states no value.
const PLATFORM_TIMEOUT_MS: Readonly<Record<TransportTimeoutPhase, number>> = { connect: 10_000, headers: 300_000, body: 300_000 };

/**
 * Failures that the same request cannot heal: a name that does not resolve,
 * a header or URL the platform refuses; and every TLS verification failure.
 */
const PERMANENT_CODES = new Set([
  'ENOTFOUND',
  'ERR_BAD_PORT',
  'ERR_INVALID_URL',
  'ERR_INVALID_CHAR',
  'ERR_HTTP_INVALID_HEADER_VALUE',
  'ERR_INVALID_HTTP_TOKEN',
  'UND_ERR_INVALID_ARG',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

/** OpenSSL's verification codes that start neither with `CERT_` nor `ERR_TLS_`. */
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'HOSTNAME_MISMATCH',
]);

/**
 * Turns whatever an HTTP library threw into what the Transport contract
 * promises:
 * - `signal.reason` once the caller's signal aborted;
 * - a regkit `TransportError` passes through unchanged;
 * - `TimeoutError` for timeout codes, with the timeout the error states
 *   (`timeout: 4500ms`) or the one in force;
 * - otherwise a {@link NetworkError} naming the method, the redacted URL and
 *   the cause, with `code` and `retryable` (false for DNS not found, TLS
 *   verification, a port or header value the platform refuses).
 *
 * No request header value that could be a credential appears in the message
 * or the cause: `fetch`, for one, copies an invalid header value (say a token
 * with a stray newline) into its `TypeError`.
 */
export function mapNetworkError(error: unknown, context: NetworkErrorContext): unknown {
  if (context.signal?.aborted) return context.signal.reason;
  if (TransportError.isInstance(error)) return error;

  const secrets = secretValues(context.request.headers);
  const rawCause = (context.causeOf ?? detachedCause)(error);
  const cause = secrets.length > 0 ? scrubCause(rawCause, secrets) : rawCause;
  const code = errorCode(error);
  const phase = timeoutPhase(code, context);
  if (phase !== undefined) {
    const timeoutMs = statedTimeoutMs(error) ?? context.timeouts?.[phase] ?? PLATFORM_TIMEOUT_MS[phase];
    return new TimeoutError(phase, timeoutMs, { cause });
  }
  const what = context.during === 'body' ? 'reading the response body of ' : '';
  const explained = code === undefined ? undefined : context.explain?.[code];
  const described = scrubSecrets(explained ?? describeError(error), secrets);
  // "self-signed certificate" alone does not tell a user where to look.
  const detail =
    isTlsFailure(code) && !/\bTLS\b/.test(described) ? `TLS certificate verification failed: ${described}` : described;
  const { method, url } = context.request;
  return new NetworkError(
    `${context.source}: ${what}${method} ${redactUrl(url)} failed: ${detail}`,
    { code: code ?? (/\bbad port\b/i.test(detail) ? 'ERR_BAD_PORT' : undefined), retryable: isRetryable(code, detail) },
    { cause },
  );
}

function timeoutPhase(code: string | undefined, context: NetworkErrorContext): TransportTimeoutPhase | undefined {
  if (code === undefined) return undefined;
  const extra = context.timeoutCodes?.[code];
  if (extra !== undefined) return extra === 'during' ? (context.during === 'body' ? 'body' : 'headers') : extra;
  return TIMEOUT_CODES[code] ?? (code === 'ETIMEDOUT' && context.during === 'request' ? 'connect' : undefined);
}

function isTlsFailure(code: string | undefined): boolean {
  return code !== undefined && (TLS_CODES.has(code) || code.startsWith('CERT_') || code.startsWith('ERR_TLS_'));
}

function isRetryable(code: string | undefined, detail: string): boolean {
  if (code !== undefined && (PERMANENT_CODES.has(code) || isTlsFailure(code))) return false;
  // Node's fetch says "bad port" (a port the Fetch standard blocks) and "invalid header value" without a code.
  return !/\bbad port\b|invalid header value|invalid url/i.test(detail);
}

/** The first string `code` on the error or its causes (`fetch failed` keeps the socket error as `cause`). */
export function errorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

// undici: "Connect Timeout Error (attempted address: host:443, timeout: 10000ms)".
function statedTimeoutMs(error: unknown): number | undefined {
  const match = /timeout: (\d+)\s*ms/i.exec(describeError(error));
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/**
 * One line for an error and its causes: messages joined with `: `, each
 * followed by its code when the message does not say it. Node's
 * happy-eyeballs connect fails with an `AggregateError` whose own message is
 * empty: its inner messages stand in.
 */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let current = error, depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
    if (typeof current !== 'object') {
      parts.push(String(current));
      break;
    }
    const { message, code, errors } = current as { message?: unknown; code?: unknown; errors?: unknown };
    let text = typeof message === 'string' ? message : '';
    if (!text && Array.isArray(errors)) text = errors.map((inner: unknown) => describeError(inner)).join('; ');
    if (!text && current instanceof Error) text = current.name;
    if (typeof code === 'string' && !text.includes(code)) text = text ? `${text} (${code})` : code;
    if (text && !parts.some((part) => part.includes(text))) parts.push(text);
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join(': ') || 'unknown error';
}

/**
 * The error to keep as `cause`: the error itself, unless it holds the
 * request (an axios error's `config`, a library's `request` or `options`,
 * with the headers and their credentials): then the error beneath it, or a
 * plain copy of its name, message and code.
 */
export function detachedCause(error: unknown): unknown {
  const holdsRequest = (value: unknown) =>
    typeof value === 'object' && value !== null && ['config', 'request', 'options'].some((key) => Object.hasOwn(value, key));
  if (!holdsRequest(error)) return error;
  const inner = (error as { cause?: unknown }).cause;
  if (inner !== undefined && inner !== null && !holdsRequest(inner)) return inner;
  const copy = new Error(error instanceof Error ? error.message : String(error));
  copy.name = error instanceof Error ? error.name : 'Error';
  const code = errorCode(error);
  return code === undefined ? copy : Object.assign(copy, { code });
}

/** The cause itself, or a plain copy without the secret when its message or a nested cause repeats one. */
function scrubCause(cause: unknown, secrets: readonly string[]): unknown {
  const text = describeError(cause);
  if (scrubSecrets(text, secrets) === text) return cause;
  const copy = new Error(scrubSecrets(cause instanceof Error ? cause.message : String(cause), secrets));
  copy.name = cause instanceof Error ? cause.name : 'Error';
  const code = errorCode(cause);
  if (code !== undefined) Object.assign(copy, { code });
  return copy;
}
