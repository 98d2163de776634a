import type { HeaderMap, HttpMethod, TransportRequest } from './transport';

/** The registry a request is for: the only origin credentials may be sent to. */
export interface RegistryTarget {
  /** The API origin, e.g. `https://registry-1.docker.io` (mirror host when one is configured). */
  readonly origin: string;
  /** `host[:port]` of that origin, as in `URL.host`. */
  readonly host: string;
  /** The scheme requests use. */
  readonly protocol: 'https' | 'http';
  /**
   * True when plain HTTP is acceptable for credentials: the user chose
   * `protocol: 'http'`, or the host is loopback.
   */
  readonly plaintextAllowed: boolean;
}

/** A read-only view of the request an authenticator is asked about. */
export interface AuthRequest {
  /** The HTTP method. */
  readonly method: HttpMethod;
  /** The absolute URL, always on {@link RegistryTarget.origin}. */
  readonly url: string;
  /** The headers core will send, before the authenticator adds its own. */
  readonly headers: Readonly<HeaderMap>;
}

/** A buffered response from {@link AuthHttpClient.send}. */
export interface AuthHttpResponse {
  /** The HTTP status. */
  readonly status: number;
  /** Headers, lower-case names. */
  readonly headers: Readonly<HeaderMap>;
  /** The URL that finally answered (after redirects). */
  readonly url: string;
  /** The whole body, at most `maxBodyBytes` long. */
  readonly body: Uint8Array;
}

/** A request to a token service or credential endpoint. */
export interface AuthHttpRequest extends TransportRequest {
  /** Cap on the response body; a longer body fails with `BodyTooLargeError`. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /**
   * Marks the body as a credential, e.g. an OAuth2 password form
   * (`grant_type=password&username=…&password=…`). Core then treats the
   * request like one carrying an `authorization` header: it goes only to a
   * realm that passes `checkTokenRealm`, never over plain HTTP to a host that
   * is not loopback (unless the user chose `protocol: 'http'` for that very
   * origin), and a redirect to another origin is refused instead of
   * replaying the body there. Default false.
   */
  readonly secret?: boolean;
}

/**
 * HTTP for authenticators, supplied by core: the registry's own transport with
 * core's base headers, timeout, abort signal, redirect policy and body cap. It
 * never runs an authenticator, so token requests cannot recurse.
 *
 * Core applies the credential policy here, so an authenticator need not: a
 * request carrying `authorization`, `cookie`, `proxy-authorization` or a
 * body marked {@link AuthHttpRequest.secret} is refused with
 * `InsecureCredentialsError` (nothing is sent) when its realm fails
 * `checkTokenRealm` or it would travel over plain HTTP to a host that is not
 * loopback, unless the user chose `protocol: 'http'` for that very origin. A
 * redirect that leaves the request's origin drops credential headers of a GET
 * or HEAD, and is refused (`RedirectError`) for any other request carrying
 * credentials: a body is never replayed to another origin.
 */
export interface AuthHttpClient {
  /** Sends one request and buffers its (capped) response. */
  send(request: AuthHttpRequest): Promise<AuthHttpResponse>;
}

/** One challenge from a `WWW-Authenticate` header (RFC 7235). */
export interface AuthChallenge {
  /** The auth scheme, lower-cased: `bearer`, `basic`, … */
  readonly scheme: string;
  /** Parameters with lower-cased names and unquoted values: `realm`, `service`, `scope`, `error`. */
  readonly params: Readonly<Record<string, string>>;
}

/** What an authenticator knows about a request before it is sent. */
export interface AuthContext {
  /** The registry the request is for. */
  readonly registry: RegistryTarget;
  /**
   * The request. Core passes the same object to every `handleRequest` and
   * `handleResponse` call for one logical request, resends included, so an
   * authenticator may key per-request state on it (e.g. in a `WeakMap`).
   */
  readonly request: AuthRequest;
  /**
   * The token scopes the request needs, as core derives them from the
   * operation, e.g. `repository:library/golang:pull` or `registry:catalog:*`.
   * Empty for requests that need no scope (`GET /v2/`).
   */
  readonly scopes: readonly string[];
  /** HTTP for token requests; see {@link AuthHttpClient}. */
  readonly http: AuthHttpClient;
  /** The caller's abort signal, combined with core's timeout. */
  readonly signal: AbortSignal | undefined;
}

/** The status line and headers of a registry response, without its body. */
export interface AuthResponseInfo {
  /** The HTTP status. */
  readonly status: number;
  /** Response headers, lower-case names. */
  readonly headers: Readonly<HeaderMap>;
  /** The URL that answered (on the registry origin). */
  readonly url: string;
}

/** What an authenticator learns after a response from the registry. */
export interface AuthResponseContext extends AuthContext {
  /** The response status, headers and URL (the body stays with core). */
  readonly response: AuthResponseInfo;
  /** The `WWW-Authenticate` challenges of the response, parsed; empty when there are none. */
  readonly challenges: readonly AuthChallenge[];
  /** How many times core has already re-sent this request for an authenticator. */
  readonly resends: number;
}

/** An authenticator's answer to a response. */
export interface AuthDecision {
  /**
   * Ask core to send the request again (after calling `handleRequest` anew).
   * Core honours at most {@link MAX_AUTH_RESENDS} resends per request: one for
   * the first challenge, one for a fresh credential after a rejected one.
   */
  readonly resend: boolean;
}

/** The most times core re-sends one request on an authenticator's behalf. */
export const MAX_AUTH_RESENDS = 2;

/**
 * Adds credentials to registry requests and reacts to challenges. Core calls
 * it only for requests to the registry origin (never for redirect hops to
 * other hosts, such as blob storage), so an authenticator cannot leak
 * credentials by accident.
 *
 * Contract (checked by the authenticator contract suite in `@regkit/testing`):
 * - `handleRequest` is cheap when a credential is cached, and returns only
 *   headers (usually `authorization`);
 * - `handleResponse` resolves `{ resend: true }` only when a resend can
 *   succeed, and throws a typed `AuthenticationError` when it knows it cannot;
 * - neither method puts secrets in errors, logs or `toString()`.
 *
 * @example A static bearer token
 * ```ts
 * const staticToken = (token: string): Authenticator => ({
 *   specificationVersion: 'v1',
 *   name: 'static-bearer',
 *   async handleRequest() { return { authorization: `Bearer ${token}` }; },
 *   async handleResponse() { return { resend: false }; },
 * });
 * ```
 */
export interface Authenticator {
  /** Version of this contract. */
  readonly specificationVersion: 'v1';
  /** A short name for logs and errors. */
  readonly name: string;
  /** Called before every request to the registry; resolves with headers to add, if any. */
  handleRequest(context: AuthContext): Promise<HeaderMap | undefined>;
  /** Called after every response from the registry; may ask core to resend the request. */
  handleResponse(context: AuthResponseContext): Promise<AuthDecision>;
}

const NO_RESEND: AuthDecision = Object.freeze({ resend: false });

/**
 * The authenticator that adds nothing: anonymous access. It is the default
 * when a registry is created without one.
 */
export function createNullAuthenticator(): Authenticator {
  return Object.freeze({
    specificationVersion: 'v1' as const,
    name: 'null',
    handleRequest: async () => undefined,
    handleResponse: async () => NO_RESEND,
  });
}
