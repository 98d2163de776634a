import { redactUrl, TimeoutError, type TimeoutPhase, TransportError } from '@regkit/core';

/** The timeout, in milliseconds, of each phase undici enforces. */
export interface PhaseTimeouts {
  readonly connect: number;
  readonly headers: number;
  readonly body: number;
}

/** What {@link mapUndiciError} needs to know about the failed request. */
export interface UndiciErrorContext {
  readonly method: string;
  readonly url: string;
  readonly signal: AbortSignal | undefined;
  /** Timeouts in force, to report in `TimeoutError.timeoutMs`. */
  readonly timeouts: PhaseTimeouts;
  /** Whether the failure came while waiting for the response or while reading its body. */
  readonly during: 'request' | 'body';
}

const TIMEOUT_CODES: Readonly<Record<string, Exclude<TimeoutPhase, 'request'>>> = {
  UND_ERR_CONNECT_TIMEOUT: 'connect',
  UND_ERR_HEADERS_TIMEOUT: 'headers',
  UND_ERR_BODY_TIMEOUT: 'body',
};

/**
 * Turns whatever undici or the socket threw into what the Transport contract
 * promises: `signal.reason` when the caller aborted, `TimeoutError` for
 * undici's three timeouts, `TransportError` (with the original as `cause`)
 * for everything else: refused or reset connections, DNS and TLS failures,
 * truncated bodies. Codes are compared rather than classes, so errors from
 * another copy of undici (a user's own `Dispatcher`) map the same way.
 */
export function mapUndiciError(error: unknown, context: UndiciErrorContext): unknown {
  if (context.signal?.aborted) return context.signal.reason;
  if (TransportError.isInstance(error)) return error;

  const code = codeOf(error);
  const phase = code === undefined ? undefined : TIMEOUT_CODES[code];
  if (phase !== undefined) {
    const timeoutMs =
      phase === 'connect' ? (connectTimeoutFromMessage(error) ?? context.timeouts.connect) : context.timeouts[phase];
    return new TimeoutError(phase, timeoutMs, { cause: error });
  }

  const what = context.during === 'body' ? 'reading the response body of ' : '';
  return new TransportError(
    `[@regkit/transport-undici] ${what}${context.method} ${redactUrl(context.url)} failed: ${describeError(error)}`,
    { cause: error },
  );
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

// undici: "Connect Timeout Error (attempted address: host:443, timeout: 10000ms)".
function connectTimeoutFromMessage(error: unknown): number | undefined {
  const message = error instanceof Error ? error.message : '';
  const match = /timeout: (\d+)\s*ms/i.exec(message);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = codeOf(error);
  // Node's happy-eyeballs connect fails with an AggregateError whose own message is empty.
  let message = error.message;
  if (!message && error instanceof AggregateError) {
    message = error.errors.map((inner: unknown) => (inner instanceof Error ? inner.message : String(inner))).join('; ');
  }
  if (!message) message = error.name;
  return code && !message.includes(code) ? `${message} (${code})` : message;
}
