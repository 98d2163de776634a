import { redactUrl, TimeoutError, TransportError } from '@regkit/core';

/** What {@link mapAxiosError} needs to know about the failed request. */
export interface AxiosErrorContext {
  readonly method: string;
  readonly url: string;
  readonly signal: AbortSignal | undefined;
  /** The transport's `timeoutMs`, to report in `TimeoutError.timeoutMs`. */
  readonly timeoutMs: number;
  /** Whether the failure came while waiting for the response or while reading its body. */
  readonly during: 'request' | 'body';
}

const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT']);

/**
 * Turns whatever axios or the socket threw into what the Transport contract
 * promises: `signal.reason` when the caller aborted (axios reports that as
 * `ERR_CANCELED`), `TimeoutError` for axios' timeout (`ECONNABORTED`, or
 * `ETIMEDOUT` with `transitional.clarifyTimeoutError`), and `TransportError`
 * for everything else: refused or reset connections, DNS, TLS and proxy
 * failures, truncated bodies, malformed responses.
 *
 * The `cause` is the underlying socket error, or a plain copy of the axios
 * error's message and code: never the `AxiosError` itself, whose `config`
 * holds the request headers (`Authorization` included) and would put
 * credentials in front of any logger that prints causes.
 */
export function mapAxiosError(error: unknown, context: AxiosErrorContext): unknown {
  if (context.signal?.aborted) return context.signal.reason;
  if (TransportError.isInstance(error)) return error;

  const code = codeOf(error);
  const cause = safeCause(error);
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    return new TimeoutError(context.during === 'body' ? 'body' : 'headers', context.timeoutMs, { cause });
  }
  const what = context.during === 'body' ? 'reading the response body of ' : '';
  const detail = code === 'ERR_CANCELED' ? 'cancelled by the axios instance (an interceptor or cancel token)' : describe(error);
  return new TransportError(`[@regkit/transport-axios] ${what}${context.method} ${redactUrl(context.url)} failed: ${detail}`, {
    cause,
  });
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function isAxiosError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { isAxiosError?: unknown }).isAxiosError === true;
}

/** The error to keep as `cause`: never one that carries an axios `config`. */
function safeCause(error: unknown): unknown {
  if (!isAxiosError(error)) return error;
  const inner = (error as { cause?: unknown }).cause;
  if (inner !== undefined && !isAxiosError(inner)) return inner;
  const copy = new Error(error instanceof Error ? error.message : String(error));
  copy.name = 'AxiosError';
  const code = codeOf(error);
  if (code !== undefined) Object.assign(copy, { code });
  return copy;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = codeOf(error);
  let message = error.message;
  // Node's happy-eyeballs connect fails with an AggregateError whose own message is empty.
  if (!message && error instanceof AggregateError) {
    message = error.errors.map((inner: unknown) => (inner instanceof Error ? inner.message : String(inner))).join('; ');
  }
  if (!message) message = error.name;
  return code && !message.includes(code) ? `${message} (${code})` : message;
}
