import {
  type AuthChallenge,
  type Authenticator,
  type AuthHttpClient,
  type AuthHttpRequest,
  type AuthHttpResponse,
  MAX_AUTH_RESENDS,
  type RegistryTarget,
} from '../authenticator';
import { contentLength, holdBody, readCapped, releaseBody } from '../body';
import { NetworkError } from '../errors';
import { FirstContactGate, scopeKey } from '../first-contact';
import { parseRateLimit, type RateLimitState } from '../rate-limit';
import { redactUrl, summarizeRequest } from '../redact';
import { MAX_ERROR_BODY_BYTES, toResponseError } from '../response-error';
import type { HeaderMap, HttpMethod, RequestBody, Transport, TransportRequest, TransportResponse } from '../transport';
import { parseWwwAuthenticate } from '../www-authenticate';
import { withAddedHeaders, withBaseHeaders } from './base-headers';
import { checkAuthRequest } from './credential-guard';
import { emitSafely } from './events';
import { followRedirects } from './redirects';
import { type CallContext, guard, type TransportCall } from './transport-call';

/** The part of a registry request the exchange needs. */
export interface ExchangeRequest {
  readonly method: HttpMethod;
  readonly headers?: HeaderMap | undefined;
  readonly body?: RequestBody | undefined;
  readonly scopes?: readonly string[] | undefined;
}

const NO_CHALLENGES: readonly AuthChallenge[] = Object.freeze([]);
const NO_SCOPES: readonly string[] = Object.freeze([]);
const DEFAULT_AUTH_BODY_BYTES = 1024 * 1024;

/**
 * The authentication exchange around one registry request:
 * `handleRequest` → send (through redirects and the credential guard) →
 * `handleResponse` → resend, at most {@link MAX_AUTH_RESENDS} times. Resolves
 * with a 2xx response; anything else becomes the typed registry error, with
 * the credentials that were sent scrubbed from the text it quotes.
 *
 * The first request for a set of scopes goes alone (see
 * {@link FirstContactGate}); the others wait until the authenticator has
 * handled its answer.
 */
export class AuthExchange {
  readonly #call: TransportCall;
  readonly #transport: Transport;
  readonly #authenticator: Authenticator;
  readonly #target: RegistryTarget;
  readonly #userAgent: string;
  readonly #maxRedirects: number;
  readonly #firstContact = new FirstContactGate();
  #rateLimit: RateLimitState | undefined;

  constructor(options: {
    readonly call: TransportCall;
    readonly transport: Transport;
    readonly authenticator: Authenticator;
    readonly target: RegistryTarget;
    readonly userAgent: string;
    readonly maxRedirects: number;
  }) {
    this.#call = options.call;
    this.#transport = options.transport;
    this.#authenticator = options.authenticator;
    this.#target = options.target;
    this.#userAgent = options.userAgent;
    this.#maxRedirects = options.maxRedirects;
  }

  /** The pull budget the registry last reported, if any. */
  get rateLimit(): RateLimitState | undefined {
    return this.#rateLimit;
  }

  async run(request: ExchangeRequest, url: string, signal: AbortSignal, attempt: number): Promise<TransportResponse> {
    const scopes = request.scopes ?? NO_SCOPES;
    const firstContact = await this.#firstContact.enter(scopeKey(scopes), signal);
    try {
      return await this.#exchange(request, url, scopes, { signal, attempt, purpose: 'registry', secretBody: false }, () =>
        firstContact?.release(true),
      );
    } finally {
      firstContact?.release(false);
    }
  }

  async #exchange(
    request: ExchangeRequest,
    url: string,
    scopes: readonly string[],
    callContext: CallContext,
    contacted: () => void,
  ): Promise<TransportResponse> {
    const { signal } = callContext;
    const baseHeaders = withBaseHeaders(this.#userAgent, request.headers);
    const http = this.#authHttp(signal, callContext.attempt);
    const context = {
      registry: this.#target,
      request: { method: request.method, url, headers: baseHeaders },
      scopes,
      http,
      signal,
    };
    const replayable = !(request.body instanceof ReadableStream);
    for (let resends = 0; ; resends++) {
      signal.throwIfAborted();
      const headers = withAddedHeaders(baseHeaders, await this.#authenticator.handleRequest(context));
      const transportRequest: TransportRequest = {
        method: request.method,
        url,
        headers,
        ...(request.body !== undefined && { body: request.body }),
      };
      const response = await followRedirects(this.#call, transportRequest, callContext, this.#target.origin, this.#maxRedirects);
      // A redirect target (blob storage) is not the registry: its answers are not challenges.
      if (response.url !== url && new URL(response.url).origin !== this.#target.origin) {
        contacted();
        return this.#checked(request.method, response, headers, signal);
      }
      this.#rateLimit = parseRateLimit(response.headers) ?? this.#rateLimit;
      // An error body (a challenge's) waits in memory, not on its connection, while the authenticator
      // works: the connection is free again for the token request or the resend. No more is read than
      // the error would read anyway; a success's body (content) is left alone.
      const held = response.status < 300 ? undefined : holdBody(response.body, MAX_ERROR_BODY_BYTES);
      const release = () => (held === undefined ? releaseBody(response.body) : held.release());
      const header = response.headers['www-authenticate'];
      const challenges = header ? parseWwwAuthenticate(header) : NO_CHALLENGES;
      let decision: { resend: boolean };
      try {
        decision = await this.#authenticator.handleResponse({
          registry: context.registry,
          request: context.request,
          scopes,
          http,
          signal,
          response: { status: response.status, headers: response.headers, url: response.url },
          challenges,
          resends,
        });
      } catch (error) {
        // The registry did answer: let the others go and meet the same refusal in parallel.
        contacted();
        release();
        throw error;
      }
      // The authenticator has learned what the registry wants (a token it now holds, or nothing).
      contacted();
      if (!decision.resend || resends >= MAX_AUTH_RESENDS || !replayable) {
        const answer = held === undefined ? response : { ...response, body: await held.replay() };
        return this.#checked(request.method, answer, headers, signal);
      }
      release();
      const listener = this.#call.listener;
      if (listener !== undefined) {
        emitSafely(listener, {
          type: 'auth',
          action: 'challenge-answered',
          authenticator: this.#authenticator.name,
          url: redactUrl(url),
          schemes: challenges.map((challenge) => challenge.scheme),
        });
      }
    }
  }

  async #checked(
    method: HttpMethod,
    response: TransportResponse,
    sent: HeaderMap,
    signal: AbortSignal,
  ): Promise<TransportResponse> {
    if (response.status >= 200 && response.status < 300) return response;
    throw await guard(signal, this.#transport, () => toResponseError(response, summarizeRequest(method, response.url), sent));
  }

  /**
   * HTTP for the authenticator: core's transport, deadline, redirect rules
   * and credential guard. A request carrying credentials (headers, or a body
   * marked `secret`) must go to a realm {@link checkAuthRequest} accepts.
   */
  #authHttp(signal: AbortSignal, attempt: number): AuthHttpClient {
    return {
      send: async (request: AuthHttpRequest): Promise<AuthHttpResponse> => {
        const { maxBodyBytes = DEFAULT_AUTH_BODY_BYTES, secret = false, headers, url: rawUrl, ...rest } = request;
        let parsed: URL;
        try {
          parsed = new URL(rawUrl);
        } catch {
          // A URL the platform will never fetch: a NetworkError that says so, so retries do not repeat it.
          throw new NetworkError('refusing an authentication request to a URL that is not absolute', { retryable: false });
        }
        if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
          throw new NetworkError(`refusing a ${parsed.protocol} URL for an authentication request`, { retryable: false });
        }
        const sentHeaders = withBaseHeaders(this.#userAgent, headers);
        const url = checkAuthRequest(parsed.toString(), sentHeaders, secret && rest.body !== undefined, this.#target);
        const transportRequest: TransportRequest = { ...rest, url, headers: sentHeaders };
        const context: CallContext = { signal, attempt, purpose: 'auth', secretBody: secret };
        const response = await followRedirects(this.#call, transportRequest, context, parsed.origin, this.#maxRedirects);
        const body = await guard(signal, this.#transport, () =>
          readCapped(response.body, maxBodyBytes, 'authentication response', contentLength(response.headers)),
        );
        const listener = this.#call.listener;
        if (listener !== undefined) {
          emitSafely(listener, {
            type: 'auth',
            action: 'auth-request',
            authenticator: this.#authenticator.name,
            url: redactUrl(url),
            status: response.status,
          });
        }
        return { status: response.status, headers: response.headers, url: response.url, body };
      },
    };
  }
}
