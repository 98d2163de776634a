import { InvalidOptionError } from '@regkit/core';

/**
 * What `listen({ cors })` accepts: `true` for any origin (`*`), a page's
 * origin such as `http://127.0.0.1:5173` to allow only that one, or `false`.
 */
export type CorsOption = boolean | string;

/** The CORS answers of one loopback server; `undefined` when CORS is off. */
export interface CorsPolicy {
  /** `*` or one serialized origin. */
  readonly allowOrigin: string;
}

/**
 * Request headers a registry client sends, `content-range` on each chunked
 * upload PATCH included. Named one by one, because the `*` wildcard of
 * `Access-Control-Allow-Headers` never covers `Authorization`.
 */
const ALLOW_HEADERS = 'authorization, accept, content-type, range, content-range';
const ALLOW_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE';
/**
 * Response headers a page's script may read: digests, challenges, paging,
 * sizes, redirects, and an upload session's progress (`range`), minimum chunk
 * and id. A browser uploads in chunks, so it needs them all.
 */
const EXPOSE_HEADERS =
  'docker-content-digest, www-authenticate, link, content-length, content-range, location, range, oci-chunk-min-length, docker-upload-uuid';

/**
 * Validates the `cors` option of `listen()`.
 *
 * @throws InvalidOptionError for anything but a boolean, `*` or an origin
 */
export function resolveCors(option: unknown): CorsPolicy | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === true || option === '*') return { allowOrigin: '*' };
  if (typeof option === 'string') {
    let origin: string | undefined;
    try {
      origin = new URL(option).origin;
    } catch {
      origin = undefined;
    }
    if (origin === option && origin !== 'null') return { allowOrigin: option };
  }
  throw new InvalidOptionError(
    'cors',
    `@regkit/testing: listen() option \`cors\` must be true, false, '*' or an origin such as 'http://127.0.0.1:5173', got ${JSON.stringify(option)}`,
  );
}

/** A browser's preflight: `OPTIONS` announcing the method it wants to send. */
export function isPreflight(method: string, headers: { get(name: string): string | null }): boolean {
  return method === 'OPTIONS' && headers.get('access-control-request-method') !== null;
}

/** Headers that let a page read an actual (non-preflight) answer. */
export function corsResponseHeaders(policy: CorsPolicy): Record<string, string> {
  const headers: Record<string, string> = {
    'access-control-allow-origin': policy.allowOrigin,
    'access-control-expose-headers': EXPOSE_HEADERS,
  };
  // A single allowed origin makes the answer depend on the request's Origin.
  if (policy.allowOrigin !== '*') headers.vary = 'Origin';
  return headers;
}

/** The 204 answer to a preflight. */
export function corsPreflightHeaders(policy: CorsPolicy): Record<string, string> {
  return {
    ...corsResponseHeaders(policy),
    'access-control-allow-methods': ALLOW_METHODS,
    'access-control-allow-headers': ALLOW_HEADERS,
    'access-control-max-age': '600',
    'content-length': '0',
  };
}
