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
import { parseRateLimit } from './rate-limit';
import type { TransportResponse } from './transport';

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
 * `Retry-After` as milliseconds: delta-seconds or an HTTP date (RFC 9110
 * §10.2.3). Undefined when absent or unparseable.
 */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Turns a non-2xx response into the matching typed error, reading at most 64 KiB of its body. */
export async function toResponseError(response: TransportResponse, request: RequestSummary): Promise<RegistryResponseError> {
  let errors: OciErrorEntry[] | undefined;
  let bodyText: string | undefined;
  try {
    const bytes = await readCapped(response.body, MAX_ERROR_BODY_BYTES, 'error body');
    const text = new TextDecoder().decode(bytes);
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
