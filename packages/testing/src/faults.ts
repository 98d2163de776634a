import { ERROR_CODES, type OciErrorCode, ociError } from './api/oci-errors';
import { type DraftResponse, errorDraft, textDraft } from './api/responses';
import { sha256Digest } from './content/digest';

/**
 * A fault to inject into matching requests, whichever way they reach the
 * fake (`handle()`, MSW, the handler transport, the loopback server).
 * Effects combine: `{ delayMs: 50, status: 503 }` waits, then fails.
 */
export interface FaultSpec {
  /** Only this method (case-insensitive). Default: any. */
  readonly method?: string;
  /**
   * The URL path to match: a string matches the path exactly, or as a
   * prefix when it ends with `*` (`/v2/library/golang/*`); a RegExp is
   * tested against path and query (`/\/blobs\//`). Token service and blob
   * storage paths match too.
   */
  readonly path: string | RegExp;
  /** How many matching requests it affects. Default 1; `Infinity` for all of them. */
  readonly times?: number;
  /** Answer with this status instead (an OCI error body when the status has a code: 401, 403, 405, 429, 500, 503). */
  readonly status?: number;
  /** Headers added to the answer, e.g. `{ 'Retry-After': '1' }`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Wait this long before answering (aborted with the request). */
  readonly delayMs?: number;
  /**
   * Drop the connection without an answer: the loopback server destroys the
   * socket, the handler transport rejects with `TransportError`, MSW and
   * `handle()` give a network error (`Response.error()`).
   */
  readonly reset?: true;
  /** Send the headers (full `Content-Length`) and only this many body bytes, then drop the connection. */
  readonly truncateBody?: number;
  /**
   * Serve content that does not match its digest: one body byte flipped
   * (same length), or on bodiless answers a wrong `Docker-Content-Digest`.
   */
  readonly wrongDigest?: true;
  /** Invalidate every issued token before answering, so the request meets `error="invalid_token"`. */
  readonly expireTokens?: true;
  /**
   * Docker Hub's 429s: `pull-limit` ("You have reached your pull rate
   * limit…", with an empty `RateLimit-Remaining`) or `abuse-limit` ("Too
   * Many Requests (HAP429).", no rate-limit headers).
   */
  readonly tooManyRequests?: 'pull-limit' | 'abuse-limit';
}

/** A fault that was added, with how often it fired. */
export interface ActiveFault {
  /** What was asked for. */
  readonly spec: FaultSpec;
  /** Matching requests it affected so far. */
  readonly hits: number;
  /** Requests it will still affect (`Infinity` for unlimited). */
  readonly remaining: number;
}

/** `registry.faults`: injected failures. */
export interface FaultControl {
  /** Adds a fault; the first matching fault with requests left applies. Returns its live record. */
  add(spec: FaultSpec): ActiveFault;
  /** Removes every fault. */
  clear(): void;
  /** Faults added since the last `clear()`/`reset()`, in order, spent ones included. */
  readonly list: readonly ActiveFault[];
}

/** Docker Hub's pull-limit message (protocol.md §5). */
export const PULL_LIMIT_MESSAGE =
  'You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit';
/** Docker Hub's abuse-limit message, from its HAProxy front. */
export const ABUSE_LIMIT_MESSAGE = 'Too Many Requests (HAP429).';

const STATUS_CODES: Readonly<Record<number, OciErrorCode>> = {
  401: 'UNAUTHORIZED',
  403: 'DENIED',
  405: 'UNSUPPORTED',
  429: 'TOOMANYREQUESTS',
  500: 'UNKNOWN',
  503: 'UNAVAILABLE',
};

function fail(message: string): never {
  throw new TypeError(`[@regkit/testing] faults.add: ${message}`);
}

function validate(spec: FaultSpec): void {
  if (typeof spec !== 'object' || spec === null) fail('pass a fault object');
  if (typeof spec.path !== 'string' && !(spec.path instanceof RegExp)) fail('path must be a string or a RegExp');
  if (typeof spec.path === 'string' && !spec.path.startsWith('/'))
    fail(`path must start with '/', got ${JSON.stringify(spec.path)}`);
  const times = spec.times ?? 1;
  if (!(times === Number.POSITIVE_INFINITY || (Number.isSafeInteger(times) && times > 0)))
    fail(`times must be a positive integer or Infinity, got ${times}`);
  if (spec.status !== undefined && !(Number.isInteger(spec.status) && spec.status >= 200 && spec.status <= 599))
    fail(`status must be an HTTP status 200-599, got ${spec.status}`);
  if (spec.delayMs !== undefined && !(Number.isFinite(spec.delayMs) && spec.delayMs >= 0))
    fail(`delayMs must be a non-negative number, got ${spec.delayMs}`);
  if (spec.truncateBody !== undefined && !(Number.isSafeInteger(spec.truncateBody) && spec.truncateBody >= 0))
    fail(`truncateBody must be a non-negative integer of bytes, got ${spec.truncateBody}`);
  if (spec.tooManyRequests !== undefined && spec.tooManyRequests !== 'pull-limit' && spec.tooManyRequests !== 'abuse-limit')
    fail(`tooManyRequests must be 'pull-limit' or 'abuse-limit', got ${JSON.stringify(spec.tooManyRequests)}`);
  const effects = [
    spec.status,
    spec.delayMs,
    spec.reset,
    spec.truncateBody,
    spec.wrongDigest,
    spec.expireTokens,
    spec.tooManyRequests,
  ].filter((effect) => effect !== undefined);
  if (effects.length === 0)
    fail('give at least one effect: status, delayMs, reset, truncateBody, wrongDigest, expireTokens or tooManyRequests');
  if (spec.reset && (spec.status !== undefined || spec.tooManyRequests !== undefined))
    fail('reset drops the connection, so it cannot also answer a status');
}

function matches(spec: FaultSpec, method: string, url: URL): boolean {
  if (spec.method !== undefined && spec.method.toUpperCase() !== method) return false;
  if (spec.path instanceof RegExp) {
    spec.path.lastIndex = 0;
    return spec.path.test(`${url.pathname}${url.search}`);
  }
  return spec.path.endsWith('*') ? url.pathname.startsWith(spec.path.slice(0, -1)) : url.pathname === spec.path;
}

class LiveFault implements ActiveFault {
  hits = 0;
  remaining: number;
  constructor(readonly spec: FaultSpec) {
    this.remaining = spec.times ?? 1;
  }
}

/** The fault list behind `registry.faults`. */
export class FaultList implements FaultControl {
  readonly #faults: LiveFault[] = [];

  get list(): readonly ActiveFault[] {
    return this.#faults;
  }

  add(spec: FaultSpec): ActiveFault {
    validate(spec);
    const fault = new LiveFault({ ...spec });
    this.#faults.push(fault);
    return fault;
  }

  clear(): void {
    this.#faults.length = 0;
  }

  /** The first fault matching the request with uses left, consumed by one. */
  take(method: string, url: URL): FaultSpec | undefined {
    const fault = this.#faults.find((candidate) => candidate.remaining > 0 && matches(candidate.spec, method, url));
    if (fault === undefined) return undefined;
    fault.remaining -= 1;
    fault.hits += 1;
    return fault.spec;
  }
}

/** Waits `ms`, resolving early (to false) when the signal aborts. */
export function faultDelay(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The answer a `status` or `tooManyRequests` fault gives instead of the real
 * one. `spentBudget` are the rate-limit headers of an empty budget, for the
 * pull-limit answer.
 */
export function faultAnswer(spec: FaultSpec, spentBudget: Readonly<Record<string, string>>): DraftResponse | undefined {
  const extra = { ...spec.headers };
  if (spec.tooManyRequests === 'pull-limit')
    return errorDraft([ociError('TOOMANYREQUESTS', { message: PULL_LIMIT_MESSAGE })], { ...spentBudget, ...extra });
  if (spec.tooManyRequests === 'abuse-limit')
    return errorDraft([ociError('TOOMANYREQUESTS', { message: ABUSE_LIMIT_MESSAGE })], extra);
  if (spec.status === undefined) return undefined;
  const code = STATUS_CODES[spec.status];
  if (code !== undefined && ERROR_CODES[code].status === spec.status) return errorDraft([ociError(code)], extra);
  return textDraft(spec.status, `${spec.status} fault injected by @regkit/testing`, extra);
}

function flipFirstByte(stream: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  let first = true;
  return stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        if (first && chunk.length > 0) {
          first = false;
          const copy = new Uint8Array(chunk);
          copy[0] = (copy[0] ?? 0) ^ 0xff;
          controller.enqueue(copy);
        } else {
          controller.enqueue(chunk);
        }
      },
    }),
  );
}

function cutAfter(stream: ReadableStream<Uint8Array>, limit: number): ReadableStream<Uint8Array> {
  const reader = stream.getReader();
  let sent = 0;
  const dropped = () => new TypeError(`[@regkit/testing] connection dropped after ${limit} body bytes (truncateBody fault)`);
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (sent >= limit) {
          void reader.cancel().catch(() => {});
          controller.error(dropped());
          return;
        }
        const { done, value } = await reader.read();
        if (done) {
          // The body was shorter than the cut: nothing to truncate.
          controller.close();
          return;
        }
        const take = Math.min(value.length, limit - sent);
        sent += take;
        controller.enqueue(value.subarray(0, take));
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

function toStream(body: Uint8Array | ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  if (body instanceof ReadableStream) return body;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (body.length > 0) controller.enqueue(body);
      controller.close();
    },
  });
}

/** Applies `wrongDigest` and `truncateBody` to an answer about to be sent. */
export function corruptAnswer(spec: FaultSpec, draft: DraftResponse, head: boolean): DraftResponse {
  let { body, headers } = draft;
  if (spec.wrongDigest) {
    if (body === null || head) {
      const digest = headers['Docker-Content-Digest'];
      if (digest !== undefined)
        headers = { ...headers, 'Docker-Content-Digest': sha256Digest(`regkit wrong digest for ${digest}`) };
    } else if (body instanceof Uint8Array) {
      const copy = new Uint8Array(body);
      if (copy.length > 0) copy[0] = (copy[0] ?? 0) ^ 0xff;
      body = copy;
    } else {
      body = flipFirstByte(body);
    }
  }
  if (spec.truncateBody !== undefined && body !== null && !head) body = cutAfter(toStream(body), spec.truncateBody);
  return { ...draft, headers, body };
}
