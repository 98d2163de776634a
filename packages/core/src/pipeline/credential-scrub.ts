/**
 * Registries (and debug proxies in front of them) sometimes echo the request
 * back in an error body: headers, the token, the form that was posted. Core
 * knows what it sent, so it removes exactly that from any text it quotes.
 */
import type { HeaderMap } from '../transport';
import { CREDENTIAL_HEADERS } from './credential-guard';

/** What replaces a credential in quoted text. */
export const REDACTED = '<redacted>';

/**
 * A password shorter than this is not searched for on its own: it would
 * match ordinary words of the message. The whole header value, the token
 * and the `user:password` pair are always searched for.
 */
const MIN_BARE_PASSWORD = 4;

/**
 * The credential strings in `headers`, longest first: each credential
 * header's value, its part after the scheme (the token), and for `Basic` the
 * decoded `user:password` pair and the password alone.
 */
export function sentCredentials(headers: Readonly<HeaderMap> | undefined): string[] {
  if (headers === undefined) return [];
  const found = new Set<string>();
  const add = (value: string | undefined, min = 1) => {
    if (value !== undefined && value.length >= min) found.add(value);
  };
  for (const name of CREDENTIAL_HEADERS) {
    const value = headers[name]?.trim();
    if (value === undefined || value === '') continue;
    add(value);
    const space = value.indexOf(' ');
    if (space < 0) continue;
    const credential = value.slice(space + 1).trim();
    add(credential);
    if (value.slice(0, space).toLowerCase() === 'basic') {
      const pair = decodeBase64(credential);
      if (pair === undefined) continue;
      add(pair);
      const colon = pair.indexOf(':');
      if (colon >= 0) add(pair.slice(colon + 1), MIN_BARE_PASSWORD);
    }
  }
  return [...found].sort((a, b) => b.length - a.length);
}

function decodeBase64(value: string): string | undefined {
  try {
    const binary = atob(value);
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

/**
 * `text` with every credential replaced by {@link REDACTED}, also in the
 * forms an echo may take: JSON-escaped, URL-encoded, form-encoded.
 */
export function scrubCredentials(text: string, credentials: readonly string[]): string {
  let out = text;
  for (const secret of credentials) {
    for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret), formEncode(secret)])) {
      if (out.includes(form)) out = out.split(form).join(REDACTED);
    }
  }
  return out;
}

function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}
