import type { Authenticator, RegistryTarget } from './authenticator';
import { contentLength, readCapped } from './body';
import type { RequestSummary } from './errors';
import { AuthExchange } from './pipeline/auth-exchange';
import { onBodyEnd } from './pipeline/body-end';
import { RequestSlots } from './pipeline/concurrency';
import { startDeadline } from './pipeline/deadline';
import type { RegistryEventListener } from './pipeline/events';
import { DEFAULT_MAX_REDIRECTS } from './pipeline/redirects';
import { Retries } from './pipeline/retries';
import { DEFAULT_RETRY_POLICY, HostBackoff, type RetryPolicy } from './pipeline/retry-policy';
import { guard, TransportCall } from './pipeline/transport-call';
import type { RateLimitState } from './rate-limit';
import { summarizeRequest } from './redact';
import type { HeaderMap, HttpMethod, RequestBody, Transport, TransportResponse } from './transport';

/** How the requester is wired; built by `Registry`. */
export interface RequesterOptions {
  /** Moves the bytes. */
  readonly transport: Transport;
  /** Adds credentials to requests for {@link target}. */
  readonly authenticator: Authenticator;
  /** The registry origin; the only place credentials go. */
  readonly target: RegistryTarget;
  /** Per-attempt timeout in milliseconds (until headers for streams, until the body is read otherwise). */
  readonly timeoutMs: number;
  /** `User-Agent` header value. */
  readonly userAgent: string;
  /** Redirect hops allowed per request. Default 10. */
  readonly maxRedirects?: number;
  /** When to repeat failed requests. Default {@link DEFAULT_RETRY_POLICY}. */
  readonly retry?: RetryPolicy;
  /** Requests in flight at once, streamed bodies being read included. Default 16. */
  readonly maxConcurrentRequests?: number;
  /** Receives a redacted event for each step of each request; see `RegistryOptions.onEvent`. */
  readonly onEvent?: RegistryEventListener | undefined;
}

/** A request to the registry, before credentials are added. */
export interface RegistryRequest {
  /** The HTTP method. */
  readonly method: HttpMethod;
  /** A path on the registry origin (`/v2/...`) or an absolute URL on it. */
  readonly url: string;
  /** Extra headers (lower-case names). */
  readonly headers?: HeaderMap;
  /** Optional body. Streamed bodies cannot be re-sent after a challenge; prefer bytes. */
  readonly body?: RequestBody;
  /** The token scopes the request needs (see `AuthContext.scopes`). */
  readonly scopes?: readonly string[];
  /** Cancels the request. */
  readonly signal?: AbortSignal | undefined;
}

/** A 2xx response whose body has been read (see {@link Requester.sendForBytes}). */
export interface RegistryBytes {
  /** The response; its body stream is consumed. */
  readonly response: RegistryResponse;
  /** The whole body. */
  readonly bytes: Uint8Array;
}

/** A response whose body still holds its request slot (see {@link Requester.sendHoldingSlot}). */
export interface HeldResponse {
  /** The 2xx response, body untouched. */
  readonly response: RegistryResponse;
  /** Gives the slot back; call it when the body ended, failed or was cancelled (again is harmless). */
  readonly release: () => void;
}

/** A successful (2xx) registry response with the redacted request it answers. */
export interface RegistryResponse extends TransportResponse {
  /** The request, redacted, for errors raised while its body is consumed. */
  readonly request: RequestSummary;
}

const noop = (): void => undefined;

/** `release`, run at most once. */
function once(release: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    release();
  };
}

/** Requests in flight per registry when `maxConcurrentRequests` is not set. */
export const DEFAULT_MAX_CONCURRENT_REQUESTS = 16;

/**
 * The response with its redacted request, computed only when read: parsing
 * and redacting the URL of every successful response was a measurable share
 * of a HEAD's cost, and only error paths look at it.
 */
function withSummary(
  response: TransportResponse,
  body: ReadableStream<Uint8Array> | null,
  method: HttpMethod,
  url: string,
): RegistryResponse {
  let summary: RequestSummary | undefined;
  // Named fields, not a spread: a literal with an accessor cannot take V8's fast object clone.
  return {
    status: response.status,
    headers: response.headers,
    url: response.url,
    body,
    get request() {
      summary ??= summarizeRequest(method, url);
      return summary;
    },
  };
}

/**
 * Runs every registry request through one pipeline, stage by stage (each in
 * `pipeline/`):
 *
 * 1. retries: repeat what may heal, honour `Retry-After` (`Retries`);
 * 2. concurrency: take one of the registry's slots (`RequestSlots`);
 * 3. deadline: the attempt's timeout (`startDeadline`);
 * 4. authentication exchange: the authenticator's headers, its answer to a
 *    challenge, the resend (`AuthExchange`);
 * 5. redirects: followed by core, credentials only to their origin;
 * 6. credential guard and transport: nothing secret in clear, then the wire.
 *
 * Adapters never see this class; they get its pieces through `AuthContext`.
 */
export class Requester {
  /** The registry this requester talks to; credentials go nowhere else. */
  readonly target: RegistryTarget;
  readonly #transport: Transport;
  readonly #timeoutMs: number;
  readonly #retries: Retries;
  readonly #slots: RequestSlots;
  readonly #exchange: AuthExchange;

  constructor(options: RequesterOptions) {
    this.target = options.target;
    this.#transport = options.transport;
    this.#timeoutMs = options.timeoutMs;
    const call = new TransportCall(options.transport, options.target, options.onEvent);
    this.#retries = new Retries(options.retry ?? DEFAULT_RETRY_POLICY, new HostBackoff(), options.target.origin, options.onEvent);
    this.#slots = new RequestSlots(options.maxConcurrentRequests ?? DEFAULT_MAX_CONCURRENT_REQUESTS);
    this.#exchange = new AuthExchange({
      call,
      transport: options.transport,
      authenticator: options.authenticator,
      target: options.target,
      userAgent: options.userAgent,
      maxRedirects: options.maxRedirects ?? DEFAULT_MAX_REDIRECTS,
    });
  }

  /** The pull budget the registry last reported (Docker Hub's `RateLimit-*` headers), if any. */
  get rateLimit(): RateLimitState | undefined {
    return this.#exchange.rateLimit;
  }

  /** True when the transport sends a stream request body as it is read (`Transport.streamsRequestBodies`). */
  get streamsRequestBodies(): boolean {
    return this.#transport.streamsRequestBodies === true;
  }

  /** The most requests this registry has in flight at once. */
  get maxConcurrentRequests(): number {
    return this.#slots.limit;
  }

  /** Absolute URL for a registry path; absolute URLs are returned unchanged. */
  resolveUrl(pathOrUrl: string): string {
    return new URL(pathOrUrl, `${this.target.origin}/`).toString();
  }

  /**
   * Sends a request and resolves with its 2xx response, body unread. The
   * timeout covers everything up to the response headers (from the end of
   * a stream request body, see `startDeadline`). The caller must
   * read or cancel the body: until then it holds one of the registry's
   * `maxConcurrentRequests` slots.
   */
  async send(request: RegistryRequest): Promise<RegistryResponse> {
    const url = this.resolveUrl(request.url);
    const { response, release } = await this.#send(request, url);
    // A streamed body is a connection in use for as long as it is read: it keeps its slot until it ends,
    // fails or is cancelled.
    const body = response.body === null || release === undefined ? null : onBodyEnd(response.body, release);
    return withSummary(response, body, request.method, url);
  }

  /**
   * {@link send} for a caller that wraps the body in a stream of its own
   * anyway (a verified blob download): the body comes as the transport gave
   * it, and the caller calls `release` (once is enough, more is harmless)
   * when it has read the body to its end, the body failed, or it cancelled
   * it. That saves a stream layer, one promise per chunk of a large blob.
   */
  async sendHoldingSlot(request: RegistryRequest): Promise<HeldResponse> {
    const url = this.resolveUrl(request.url);
    const { response, release } = await this.#send(request, url);
    return { response: withSummary(response, response.body, request.method, url), release: release ?? noop };
  }

  /** The request with its slot: `release` is set when a body holds the slot. */
  async #send(
    request: RegistryRequest,
    url: string,
  ): Promise<{ response: TransportResponse; release: (() => void) | undefined }> {
    return this.#retries.run(request, url, async (attempt) => {
      const queued = this.#takeSlot(request.signal);
      if (queued !== undefined) await queued;
      const deadline = startDeadline(request.signal, this.#timeoutMs, request.body);
      let response: TransportResponse;
      try {
        const sent = deadline.body === request.body ? request : { ...request, body: deadline.body };
        response = await this.#exchange.run(sent, url, deadline.signal, attempt);
      } catch (error) {
        this.#slots.release();
        throw error;
      } finally {
        deadline.clear();
      }
      if (response.body === null) {
        this.#slots.release();
        return { response, release: undefined };
      }
      return { response, release: once(this.#release) };
    });
  }

  /** Sends a request and reads its whole 2xx body, capped at `maxBytes`; the timeout covers the body too. */
  async sendForBytes(request: RegistryRequest, maxBytes: number, what: string): Promise<RegistryBytes> {
    const url = this.resolveUrl(request.url);
    return this.#retries.run(request, url, async (attempt) => {
      const queued = this.#takeSlot(request.signal);
      if (queued !== undefined) await queued;
      const deadline = startDeadline(request.signal, this.#timeoutMs, request.body);
      try {
        const sent = deadline.body === request.body ? request : { ...request, body: deadline.body };
        const response = await this.#exchange.run(sent, url, deadline.signal, attempt);
        const bytes = await guard(deadline.signal, this.#transport, () =>
          readCapped(response.body, maxBytes, what, contentLength(response.headers)),
        );
        return { response: withSummary(response, response.body, request.method, url), bytes };
      } finally {
        deadline.clear();
        this.#slots.release();
      }
    });
  }

  readonly #release = (): void => this.#slots.release();

  #takeSlot(signal: AbortSignal | undefined): Promise<void> | undefined {
    // Waiting for a slot does not count against the attempt's timeout.
    return this.#slots.tryAcquire() ? undefined : this.#slots.acquire(signal);
  }
}
