import { releaseBody } from '../body';
import { RedirectError } from '../errors';
import { redactUrl, summarizeRequest } from '../redact';
import type { HttpMethod, TransportRequest, TransportResponse } from '../transport';
import { carriesCredentialHeaders, withoutCredentials } from './credential-guard';
import { emitSafely } from './events';
import type { CallContext, TransportCall } from './transport-call';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Redirect hops allowed per request when `maxRedirects` is not set. */
export const DEFAULT_MAX_REDIRECTS = 10;

/**
 * Follows redirects itself (transports never do) so credentials never leave
 * `credentialOrigin`:
 * - a GET or HEAD hop elsewhere (pre-signed blob storage) goes without them;
 * - any other request that carries credentials or a secret body is refused
 *   when a hop leaves the origin, and no body is ever replayed to another
 *   origin: a 307 of a token POST must not send the password form again;
 * - a downgrade from https to http is refused.
 */
export async function followRedirects(
  call: TransportCall,
  first: TransportRequest,
  context: CallContext,
  credentialOrigin: string,
  maxRedirects: number,
): Promise<TransportResponse> {
  let request = first;
  for (let hop = 0; ; hop++) {
    const response = await call.send(request, context);
    const location = response.headers.location;
    if (!REDIRECT_STATUSES.has(response.status) || location === undefined) return response;
    releaseBody(response.body);
    if (hop >= maxRedirects) {
      throw new RedirectError(`more than ${maxRedirects} redirects from ${summarizeRequest(first.method, first.url).url}`);
    }
    const next = redirectRequest(request, response.status, location, credentialOrigin, context.secretBody);
    if (call.listener !== undefined) {
      emitSafely(call.listener, {
        type: 'redirect',
        status: response.status,
        from: redactUrl(request.url),
        to: redactUrl(next.url),
        credentialsDropped: next.headers !== request.headers,
      });
    }
    request = next;
  }
}

function redirectRequest(
  previous: TransportRequest,
  status: number,
  location: string,
  credentialOrigin: string,
  secretBody: boolean,
): TransportRequest {
  let next: URL;
  try {
    next = new URL(location, previous.url);
  } catch {
    throw new RedirectError(`redirect to an invalid location from ${summarizeRequest(previous.method, previous.url).url}`);
  }
  if (next.protocol !== 'https:' && next.protocol !== 'http:') {
    throw new RedirectError(`refusing to follow a redirect to a ${next.protocol} URL`);
  }
  if (previous.url.startsWith('https:') && next.protocol === 'http:') {
    throw new RedirectError(`refusing to follow a redirect from https to http (${redactUrl(next.toString())})`);
  }
  const readOnly = previous.method === 'GET' || previous.method === 'HEAD';
  const keepsMethod = status === 307 || status === 308 || readOnly;
  const method: HttpMethod = keepsMethod ? previous.method : 'GET';
  const replaysBody = keepsMethod && previous.body !== undefined;
  if (replaysBody && previous.body instanceof ReadableStream) {
    throw new RedirectError(`cannot replay a streamed ${previous.method} body across a ${status} redirect`);
  }
  const sameOrigin = next.origin === credentialOrigin;
  if (!sameOrigin) {
    if (!readOnly && ((secretBody && previous.body !== undefined) || carriesCredentialHeaders(previous.headers))) {
      throw new RedirectError(
        `refusing to follow a ${status} redirect of a ${previous.method} carrying credentials from ` +
          `${redactUrl(previous.url)} to another origin (${next.origin})`,
      );
    }
    if (replaysBody) {
      throw new RedirectError(
        `refusing to replay a ${previous.method} body across a ${status} redirect to another origin (${next.origin})`,
      );
    }
  }
  const headers =
    sameOrigin || !carriesCredentialHeaders(previous.headers) ? previous.headers : withoutCredentials(previous.headers);
  return {
    method,
    url: next.toString(),
    headers,
    ...(replaysBody && { body: previous.body }),
  };
}
