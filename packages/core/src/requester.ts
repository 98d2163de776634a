import {
  type AuthChallenge,
  type Authenticator,
  type AuthHttpClient,
  type AuthHttpRequest,
  type AuthHttpResponse,
  MAX_AUTH_RESENDS,
  type RegistryTarget,
} from './authenticator';
import { contentLength, readCapped, releaseBody } from './body';
import { RedirectError, RegistryResponseError, RegkitError, type RequestSummary, TimeoutError, TransportError } from './errors';
import { FirstContactGate, scopeKey } from './first-contact';
import { parseRateLimit, type RateLimitState } from './rate-limit';
import { summarizeRequest } from './redact';
import { toResponseError } from './response-error';
import { backoffDelay, DEFAULT_RETRY_POLICY, HostBackoff, type RetryPolicy, sleep } from './retry';
import type { HeaderMap, HttpMethod, RequestBody, Transport, TransportRequest, TransportResponse } from './transport';
import { parseWwwAuthenticate } from './www-authenticate';

/** How the requester is wired; built by `Registry`. */
export interface RequesterOptions {
  /** Moves the bytes. */
  readonly transport: Transport;
  /** Adds credentials to requests for {@link target}. */
  readonly authenticator: Authenticator;
  /** The registry origin; the only place credentials go. */
  readonly target: RegistryTarget;
  /** Per-request timeout in milliseconds (until headers for streams, until the body is read otherwise). */
  readonly timeoutMs: number;
  /** `User-Agent` header value. */
  readonly userAgent: string;
  /** Redirect hops allowed per request. Default 10. */
  readonly maxRedirects?: number;
  /** When to repeat failed requests. Default {@link DEFAULT_RETRY_POLICY}. */
  readonly retry?: RetryPolicy;
  /** Shared per-host pauses; share one between requesters to share backoff. */
  readonly backoff?: HostBackoff;
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

/** A successful (2xx) registry response with the redacted request it answers. */
export interface RegistryResponse extends TransportResponse {
  /** The request, redacted, for errors raised while its body is consumed. */
  readonly request: RequestSummary;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];
const DEFAULT_MAX_REDIRECTS = 10;
const DEFAULT_AUTH_BODY_BYTES = 1024 * 1024;

interface Deadline {
  readonly signal: AbortSignal;
  clear(): void;
}

function lowerCaseKeys(headers: HeaderMap | undefined): HeaderMap {
  const out: HeaderMap = {};
  if (headers) for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}

function isEmpty(headers: HeaderMap | undefined): boolean {
  if (headers === undefined) return true;
  for (const _ in headers) return false;
  return true;
}

const NO_CHALLENGES: readonly AuthChallenge[] = Object.freeze([]);

/**
 * The response with its redacted request, computed only when read: parsing
 * and redacting the URL of every successful response was a measurable share
 * of a HEAD's cost, and only error paths look at it.
 */
function withSummary(response: TransportResponse, method: HttpMethod, url: string): RegistryResponse {
  let summary: RequestSummary | undefined;
  // Named fields, not a spread: a literal with an accessor cannot take V8's fast object clone.
  return {
    status: response.status,
    headers: response.headers,
    url: response.url,
    body: response.body,
    get request() {
      summary ??= summarizeRequest(method, url);
      return summary;
    },
  };
}

function withoutCredentials(headers: HeaderMap): HeaderMap {
  const out = { ...headers };
  for (const name of CREDENTIAL_HEADERS) delete out[name];
  return out;
}

/**
 * Runs every registry request through one pipeline: authenticate → send →
 * follow redirects (credentials only to their origin) → let the authenticator
 * answer a challenge → map failures to typed errors. Adapters never see this
 * class; they get its pieces through `AuthContext`.
 */
export class Requester {
  /** The registry this requester talks to; credentials go nowhere else. */
  readonly target: RegistryTarget;
  readonly #transport: Transport;
  readonly #authenticator: Authenticator;
  readonly #timeoutMs: number;
  readonly #userAgent: string;
  readonly #maxRedirects: number;
  readonly #retry: RetryPolicy;
  readonly #backoff: HostBackoff;
  readonly #firstContact = new FirstContactGate();
  #rateLimit: RateLimitState | undefined;

  constructor(options: RequesterOptions) {
    this.target = options.target;
    this.#transport = options.transport;
    this.#authenticator = options.authenticator;
    this.#timeoutMs = options.timeoutMs;
    this.#userAgent = options.userAgent;
    this.#maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
    this.#retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.#backoff = options.backoff ?? new HostBackoff();
  }

  /** The pull budget the registry last reported (Docker Hub's `RateLimit-*` headers), if any. */
  get rateLimit(): RateLimitState | undefined {
    return this.#rateLimit;
  }

  /** Absolute URL for a registry path; absolute URLs are returned unchanged. */
  resolveUrl(pathOrUrl: string): string {
    return new URL(pathOrUrl, `${this.target.origin}/`).toString();
  }

  /**
   * Sends a request and resolves with its 2xx response, body unread. The
   * timeout covers everything up to the response headers; the caller must
   * read or cancel the body.
   */
  async send(request: RegistryRequest): Promise<RegistryResponse> {
    return this.#withRetries(request, (signal) => this.#sendChecked(request, signal));
  }

  /** Sends a request and reads its whole 2xx body, capped at `maxBytes`; the timeout covers the body too. */
  async sendForBytes(request: RegistryRequest, maxBytes: number, what: string): Promise<RegistryBytes> {
    return this.#withRetries(request, async (signal) => {
      const response = await this.#sendChecked(request, signal);
      const bytes = await this.#guard(signal, () => readCapped(response.body, maxBytes, what, contentLength(response.headers)));
      return { response, bytes };
    });
  }

  /**
   * Runs one attempt per loop under its own deadline, repeating failures the
   * retry policy allows: idempotent methods only, after a jittered backoff or
   * the registry's `Retry-After`, which pauses every call to that host.
   */
  async #withRetries<T>(request: RegistryRequest, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const repeatable = this.#retry.methods.includes(request.method) && !(request.body instanceof ReadableStream);
    for (let retry = 0; ; retry++) {
      await this.#backoff.wait(this.target.origin, request.signal);
      const deadline = this.#deadline(request.signal);
      let delay: number | undefined;
      try {
        return await attempt(deadline.signal);
      } catch (error) {
        delay = repeatable && retry < this.#retry.limit && !request.signal?.aborted ? this.#retryDelay(error, retry) : undefined;
        if (delay === undefined) throw error;
      } finally {
        deadline.clear();
      }
      await sleep(delay, request.signal);
    }
  }

  /** Milliseconds to wait before repeating after `error`, or undefined when it must not be repeated. */
  #retryDelay(error: unknown, retry: number): number | undefined {
    if (RegistryResponseError.isInstance(error)) {
      if (!this.#retry.statusCodes.includes(error.status)) return undefined;
      const { retryAfterMs } = error;
      if (retryAfterMs === undefined) return backoffDelay(this.#retry, retry);
      if (retryAfterMs > this.#retry.maxRetryAfterMs) return undefined;
      this.#backoff.pause(this.target.origin, retryAfterMs);
      return 0;
    }
    if (TransportError.isInstance(error) && this.#retry.onNetworkError) return backoffDelay(this.#retry, retry);
    return undefined;
  }

  async #sendChecked(request: RegistryRequest, signal: AbortSignal): Promise<RegistryResponse> {
    const url = this.resolveUrl(request.url);
    const response = await this.#exchange(request, url, signal);
    if (response.status >= 200 && response.status < 300) return withSummary(response, request.method, url);
    throw await this.#guard(signal, () => toResponseError(response, summarizeRequest(request.method, response.url)));
  }

  /**
   * The authenticator loop around one logical request. The first request for
   * a set of scopes goes alone (see {@link FirstContactGate}); the others
   * wait until the authenticator has handled its answer.
   */
  async #exchange(request: RegistryRequest, url: string, signal: AbortSignal): Promise<TransportResponse> {
    const scopes = request.scopes ?? [];
    const firstContact = await this.#firstContact.enter(scopeKey(scopes), signal);
    try {
      return await this.#authenticatedExchange(request, url, scopes, signal, () => firstContact?.release(true));
    } finally {
      firstContact?.release(false);
    }
  }

  async #authenticatedExchange(
    request: RegistryRequest,
    url: string,
    scopes: readonly string[],
    signal: AbortSignal,
    contacted: () => void,
  ): Promise<TransportResponse> {
    const baseHeaders: HeaderMap = { 'user-agent': this.#userAgent, ...lowerCaseKeys(request.headers) };
    const http = this.#authHttp(signal);
    const context = {
      registry: this.target,
      request: { method: request.method, url, headers: baseHeaders },
      scopes,
      http,
      signal,
    };
    const replayable = !(request.body instanceof ReadableStream);
    for (let resends = 0; ; resends++) {
      signal.throwIfAborted();
      const added = await this.#authenticator.handleRequest(context);
      const headers = isEmpty(added) ? baseHeaders : { ...baseHeaders, ...lowerCaseKeys(added) };
      const transportRequest: TransportRequest = {
        method: request.method,
        url,
        headers,
        ...(request.body !== undefined && { body: request.body }),
      };
      const response = await this.#followRedirects(transportRequest, signal, this.target.origin);
      // A redirect target (blob storage) is not the registry: its answers are not challenges.
      if (response.url !== url && new URL(response.url).origin !== this.target.origin) {
        contacted();
        return response;
      }
      this.#rateLimit = parseRateLimit(response.headers) ?? this.#rateLimit;
      const header = response.headers['www-authenticate'];
      let decision: { resend: boolean };
      try {
        decision = await this.#authenticator.handleResponse({
          registry: context.registry,
          request: context.request,
          scopes,
          http,
          signal,
          response: { status: response.status, headers: response.headers, url: response.url },
          challenges: header ? parseWwwAuthenticate(header) : NO_CHALLENGES,
          resends,
        });
      } catch (error) {
        // The registry did answer: let the others go and meet the same refusal in parallel.
        contacted();
        releaseBody(response.body);
        throw error;
      }
      // The authenticator has learned what the registry wants (a token it now holds, or nothing).
      contacted();
      if (!decision.resend || resends >= MAX_AUTH_RESENDS || !replayable) return response;
      releaseBody(response.body);
    }
  }

  /**
   * Follows redirects itself so credentials never leave `credentialOrigin`:
   * any hop elsewhere (pre-signed blob storage) goes without them, and a
   * downgrade from https to http is refused.
   */
  async #followRedirects(first: TransportRequest, signal: AbortSignal, credentialOrigin: string): Promise<TransportResponse> {
    let request = first;
    for (let hop = 0; ; hop++) {
      const response = await this.#transportSend(request, signal);
      const location = response.headers.location;
      if (!REDIRECT_STATUSES.has(response.status) || location === undefined) return response;
      releaseBody(response.body);
      if (hop >= this.#maxRedirects) {
        throw new RedirectError(
          `more than ${this.#maxRedirects} redirects from ${summarizeRequest(first.method, first.url).url}`,
        );
      }
      request = this.#redirectRequest(request, response.status, location, credentialOrigin);
    }
  }

  #redirectRequest(previous: TransportRequest, status: number, location: string, credentialOrigin: string): TransportRequest {
    let next: URL;
    try {
      next = new URL(location, previous.url);
    } catch {
      throw new RedirectError(`redirect to an invalid location from ${summarizeRequest(previous.method, previous.url).url}`);
    }
    if (next.protocol !== 'https:' && next.protocol !== 'http:') {
      throw new RedirectError(`refusing to follow a redirect to a ${next.protocol} URL`);
    }
    if (new URL(previous.url).protocol === 'https:' && next.protocol === 'http:') {
      throw new RedirectError(
        `refusing to follow a redirect from https to http (${summarizeRequest('GET', next.toString()).url})`,
      );
    }
    const keepsMethod = status === 307 || status === 308 || previous.method === 'GET' || previous.method === 'HEAD';
    const method: HttpMethod = keepsMethod ? previous.method : 'GET';
    if (keepsMethod && previous.body instanceof ReadableStream) {
      throw new RedirectError(`cannot replay a streamed ${previous.method} body across a ${status} redirect`);
    }
    const headers = next.origin === credentialOrigin ? previous.headers : withoutCredentials(previous.headers);
    return {
      method,
      url: next.toString(),
      headers,
      ...(keepsMethod && previous.body !== undefined && { body: previous.body }),
    };
  }

  async #transportSend(request: TransportRequest, signal: AbortSignal): Promise<TransportResponse> {
    return this.#guard(signal, () => this.#transport.send(request, { signal }));
  }

  /** Runs `work`, turning stray failures into typed errors and aborts into the signal's reason. */
  async #guard<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (RegkitError.isInstance(error)) throw error;
      throw new TransportError(
        `${this.#transport.name} transport failed: ${error instanceof Error ? error.message : String(error)}`,
        {
          cause: error,
        },
      );
    }
  }

  #authHttp(signal: AbortSignal): AuthHttpClient {
    return {
      send: async (request: AuthHttpRequest): Promise<AuthHttpResponse> => {
        const { maxBodyBytes = DEFAULT_AUTH_BODY_BYTES, ...rest } = request;
        const url = new URL(request.url);
        if (url.protocol !== 'https:' && url.protocol !== 'http:') {
          throw new TransportError(`refusing a ${url.protocol} URL for an authentication request`);
        }
        const transportRequest: TransportRequest = {
          ...rest,
          headers: { 'user-agent': this.#userAgent, ...lowerCaseKeys(request.headers) },
        };
        const response = await this.#followRedirects(transportRequest, signal, url.origin);
        const body = await this.#guard(signal, () =>
          readCapped(response.body, maxBodyBytes, 'authentication response', contentLength(response.headers)),
        );
        return { status: response.status, headers: response.headers, url: response.url, body };
      },
    };
  }

  #deadline(callerSignal: AbortSignal | undefined): Deadline {
    const controller = new AbortController();
    const timeoutMs = this.#timeoutMs;
    const timer = setTimeout(() => controller.abort(new TimeoutError('request', timeoutMs)), timeoutMs);
    const signal = callerSignal ? AbortSignal.any([callerSignal, controller.signal]) : controller.signal;
    return { signal, clear: () => clearTimeout(timer) };
  }
}
