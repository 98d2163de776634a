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
  /** The status the fake answered. */
  readonly status: number;
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

/** Builds the record of one answered request. */
export function recordCall(request: Request, url: URL, status: number): RecordedCall {
  return { method: request.method, url: url.href, path: url.pathname, headers: recordHeaders(request.headers), status };
}
