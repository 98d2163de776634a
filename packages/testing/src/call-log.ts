/** One request the fake answered, for assertions. */
export interface RecordedCall {
  /** HTTP method, upper-case. */
  readonly method: string;
  /** The full request URL. */
  readonly url: string;
  /** The URL path (no query), e.g. `/v2/library/golang/manifests/1.12.0`. */
  readonly path: string;
  /**
   * Request headers, lower-case names. Credentials are redacted with their
   * scheme kept: `authorization: Bearer <redacted>`.
   */
  readonly headers: Readonly<Record<string, string>>;
  /** The status the fake answered; 0 when a fault dropped the connection. */
  readonly status: number;
  /**
   * The scopes granted to the bearer token the request carried (token
   * mode), e.g. `['repository:library/golang:pull']`. Absent without one.
   */
  readonly tokenScopes?: readonly string[];
  /**
   * Why nothing matched, for 404s and other refusals the fake can explain,
   * e.g. `no repository 'team/app'; known: library/alpine, library/golang`.
   */
  readonly explanation?: string;
  /** True when an injected fault shaped the answer. */
  readonly fault?: true;
}

/** A request that matched nothing, with the reason: see `registry.unmatched`. */
export interface UnmatchedRequest {
  /** HTTP method, upper-case. */
  readonly method: string;
  /** The full request URL. */
  readonly url: string;
  /** The status answered. */
  readonly status: number;
  /** What was missing and what exists instead. */
  readonly explanation: string;
}

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

/** `Bearer abc` → `Bearer <redacted>`; a value without a scheme becomes `<redacted>`. */
export function redactCredential(value: string): string {
  const space = value.indexOf(' ');
  return space > 0 ? `${value.slice(0, space)} <redacted>` : '<redacted>';
}

/** Request headers as a plain object, with credentials redacted. */
export function recordHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = SECRET_HEADERS.has(name) ? redactCredential(value) : value;
  });
  return out;
}

/** Extra facts about an answered request. */
export interface CallDetails {
  readonly tokenScopes?: readonly string[] | undefined;
  readonly explanation?: string | undefined;
  readonly fault?: boolean;
}

/** Builds the record of one answered request. */
export function recordCall(request: Request, url: URL, status: number, details: CallDetails = {}): RecordedCall {
  return {
    method: request.method,
    url: url.href,
    path: url.pathname,
    headers: recordHeaders(request.headers),
    status,
    ...(details.tokenScopes === undefined ? {} : { tokenScopes: details.tokenScopes }),
    ...(details.explanation === undefined ? {} : { explanation: details.explanation }),
    ...(details.fault ? { fault: true as const } : {}),
  };
}
