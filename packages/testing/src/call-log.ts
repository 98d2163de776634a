/** One request the fake answered, for assertions. */
export interface RecordedCall {
  /** HTTP method, upper-case. */
  readonly method: string;
  /** The full request URL, credential query parameters redacted (`access_token=<redacted>`). */
  readonly url: string;
  /** The URL path (no query), e.g. `/v2/library/golang/manifests/1.12.0`. */
  readonly path: string;
  /**
   * Request headers, lower-case names. Credentials are redacted with their
   * scheme kept (`authorization: Bearer <redacted>`), cookies with their
   * names kept (`cookie: sid=<redacted>; theme=<redacted>`), and headers
   * named like secrets (`x-auth-token`, `x-api-key`) whole.
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

/** Headers whose value is `<scheme> <credentials>`: the scheme is kept, the rest redacted. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization']);
/** Headers made of `name=value` pairs: the names are kept, every value redacted. */
const COOKIE_HEADERS = new Set(['cookie', 'set-cookie']);
/** Other headers that carry secrets by name (`X-Auth-Token`, `X-Api-Key`, `X-Amz-Security-Token`, …): redacted whole. */
const SECRET_HEADER = /token|secret|password|passwd|credential|api-?key|auth|session/i;
/**
 * Query parameters that carry credentials (`access_token`, `token`,
 * `refresh_token`, `password`, `client_secret`, signatures, keys): their
 * values are redacted in recorded URLs. The fake's own upload `_state` and
 * the storage host's `verify` are not secrets a client sent, so they stay.
 */
const SECRET_PARAM = /token|secret|password|passwd|credential|signature|^sig$|key|auth|^code$/i;

/** `Bearer abc` → `Bearer <redacted>`; a value without a scheme becomes `<redacted>`. */
export function redactCredential(value: string): string {
  const match = /^([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)\s+\S/.exec(value.trim());
  return match ? `${match[1]} <redacted>` : '<redacted>';
}

/**
 * `sid=SECRET; theme=dark` → `sid=<redacted>; theme=<redacted>`: every value
 * goes, names stay (a test may assert which cookies were sent). A pair
 * without `=` (a bare value, or a `Set-Cookie` flag) is redacted whole unless
 * it is a known `Set-Cookie` flag.
 */
export function redactCookie(value: string): string {
  return value
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const equals = part.indexOf('=');
      if (equals < 0) return /^(secure|httponly|partitioned)$/i.test(part) ? part : '<redacted>';
      return `${part.slice(0, equals).trim()}=<redacted>`;
    })
    .join('; ');
}

/** Request headers as a plain object, with credentials redacted. */
export function recordHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (CREDENTIAL_HEADERS.has(name)) out[name] = redactCredential(value);
    else if (COOKIE_HEADERS.has(name)) out[name] = redactCookie(value);
    else out[name] = SECRET_HEADER.test(name) ? '<redacted>' : value;
  });
  return out;
}

/**
 * The URL as recorded: user info dropped and the values of credential query
 * parameters (`access_token=…`, `password=…`) replaced by `<redacted>`.
 */
export function recordUrl(url: URL): string {
  const secrets = [...new Set(url.searchParams.keys())].filter((name) => SECRET_PARAM.test(name));
  if (secrets.length === 0 && url.username === '' && url.password === '') return url.href;
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  for (const name of secrets) {
    const count = copy.searchParams.getAll(name).length;
    copy.searchParams.delete(name);
    for (let i = 0; i < count; i += 1) copy.searchParams.append(name, '<redacted>');
  }
  return copy.href;
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
    url: recordUrl(url),
    path: url.pathname,
    headers: recordHeaders(request.headers),
    status,
    ...(details.tokenScopes === undefined ? {} : { tokenScopes: details.tokenScopes }),
    ...(details.explanation === undefined ? {} : { explanation: details.explanation }),
    ...(details.fault ? { fault: true as const } : {}),
  };
}
