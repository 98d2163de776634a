import { readCapped, releaseBody } from './body';
import {
  ForbiddenError,
  type OciErrorEntry,
  RegistryResponseError,
  type RequestSummary,
  ResourceNotFoundError,
  type ResponseErrorInit,
  ServerError,
  TooManyRequestsError,
  UnauthorizedError,
  UnsupportedOperationError,
} from './errors';
import { scrubCredentials, sentCredentials } from './pipeline/credential-scrub';
import { parseRetryAfter } from './pipeline/retry-policy';
import { parseRateLimit } from './rate-limit';
import type { HeaderMap, TransportResponse } from './transport';

/** Error bodies are read up to this size; a registry cannot make us buffer more. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;
const MAX_BODY_TEXT = 1024;

function parseEnvelope(text: string): OciErrorEntry[] | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { errors?: unknown }).errors)) return undefined;
  const entries: OciErrorEntry[] = [];
  for (const item of (json as { errors: unknown[] }).errors) {
    if (typeof item !== 'object' || item === null) continue;
    const { code, message, detail } = item as Record<string, unknown>;
    if (typeof code !== 'string') continue;
    entries.push({
      code,
      ...(typeof message === 'string' && { message }),
      ...(detail !== undefined && { detail }),
    });
  }
  return entries;
}

/**
 * Turns a non-2xx response into the matching typed error, reading at most 64
 * KiB of its body. `sentHeaders` are the headers of the request it answers:
 * any credential among them that the body echoes is replaced by
 * `<redacted>` before the text reaches the error's message, `bodyText` or
 * parsed `errors`.
 */
export async function toResponseError(
  response: TransportResponse,
  request: RequestSummary,
  sentHeaders?: Readonly<HeaderMap>,
): Promise<RegistryResponseError> {
  let errors: OciErrorEntry[] | undefined;
  let bodyText: string | undefined;
  try {
    const bytes = await readCapped(response.body, MAX_ERROR_BODY_BYTES, 'error body');
    const text = scrubCredentials(new TextDecoder().decode(bytes), sentCredentials(sentHeaders));
    errors = parseEnvelope(text);
    if (errors === undefined && text.trim() !== '') bodyText = text.slice(0, MAX_BODY_TEXT);
  } catch {
    // An oversized or broken error body must not hide the status itself.
    releaseBody(response.body);
  }
  const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
  const rateLimit = parseRateLimit(response.headers);
  const init: ResponseErrorInit = {
    status: response.status,
    request,
    ...(retryAfterMs !== undefined && { retryAfterMs }),
    ...(rateLimit !== undefined && { rateLimit }),
    ...(errors !== undefined && { errors }),
    ...(bodyText !== undefined && { bodyText }),
  };
  switch (response.status) {
    case 401:
      return new UnauthorizedError(init);
    case 403:
      return new ForbiddenError(init);
    case 404:
      return new ResourceNotFoundError(init);
    case 405:
      return new UnsupportedOperationError(init);
    case 429:
      return new TooManyRequestsError(init);
    default:
      return response.status >= 500 ? new ServerError(init) : new RegistryResponseError(init);
  }
}
