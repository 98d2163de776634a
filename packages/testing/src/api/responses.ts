import { ERROR_CODES, type OciErrorBody } from './oci-errors';

/** A response before the pipeline adds the common headers and strips bodies from HEAD answers. */
export interface DraftResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  /**
   * The full body (a stream for generated blobs); for HEAD the pipeline
   * keeps `Content-Length` and drops the bytes.
   */
  readonly body: Uint8Array | ReadableStream<Uint8Array> | null;
}

const encoder = new TextEncoder();

/** JSON as Go's `json.Encoder` writes it: compact, with a trailing newline. */
export function jsonDraft(status: number, value: unknown, headers: Record<string, string> = {}): DraftResponse {
  const body = encoder.encode(`${JSON.stringify(value)}\n`);
  return {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(body.length), ...headers },
    body,
  };
}

/** The OCI error envelope; the status is the first error's, as in distribution. */
export function errorDraft(
  errors: readonly [OciErrorBody, ...OciErrorBody[]],
  headers: Record<string, string> = {},
): DraftResponse {
  return jsonDraft(ERROR_CODES[errors[0].code].status, { errors }, headers);
}

/** A plain-text answer as Go's `http.Error` writes it. */
export function textDraft(status: number, text: string, headers: Record<string, string> = {}): DraftResponse {
  const body = encoder.encode(`${text}\n`);
  return {
    status,
    headers: {
      'Content-Type': 'text/plain; charset=utf-8',
      'X-Content-Type-Options': 'nosniff',
      'Content-Length': String(body.length),
      ...headers,
    },
    body,
  };
}

/** distribution's answer to a path no route matches. */
export function pageNotFound(): DraftResponse {
  return textDraft(404, '404 page not found');
}

/** gorilla's answer to a routed path with a method the route does not take. */
export function methodNotAllowed(allowed: readonly string[]): DraftResponse {
  return textDraft(405, 'Method not allowed', { Allow: [...allowed].sort().join(', ') });
}

/** A response with no body and an explicit length. */
export function emptyDraft(status: number, headers: Record<string, string> = {}): DraftResponse {
  return { status, headers, body: null };
}
