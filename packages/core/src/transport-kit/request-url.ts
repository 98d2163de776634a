import { NetworkError } from '../errors/network-errors';
import { redactUrl } from '../redact';

/**
 * Parses a request URL and accepts only absolute `http:` and `https:` URLs:
 * anything else is a programming error, not a network one, and is not
 * retryable. The URL in the message is redacted.
 */
export function parseRequestUrl(request: { readonly method: string; readonly url: string }, source: string): URL {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch (error) {
    throw new NetworkError(
      `${source}: ${request.method}: not an absolute URL`,
      { code: 'ERR_INVALID_URL', retryable: false },
      {
        cause: error,
      },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new NetworkError(`${source}: ${request.method} ${redactUrl(request.url)}: only http: and https: URLs are supported`, {
      code: 'ERR_INVALID_URL',
      retryable: false,
    });
  }
  return url;
}
