import { fromBase64 } from '../base64';

/** Credentials read from an `Authorization` header. */
export type Credentials =
  | { readonly scheme: 'basic'; readonly username: string; readonly password: string }
  | { readonly scheme: 'bearer'; readonly token: string }
  | { readonly scheme: 'other' }
  | { readonly scheme: 'none' };

/** Reads `Authorization`; the scheme is matched case-insensitively, as 2.8 does. */
export function readCredentials(headers: Headers): Credentials {
  const value = headers.get('authorization');
  if (value === null || value.trim() === '') return { scheme: 'none' };
  const match = /^\s*(\S+)\s+(\S.*?)\s*$/.exec(value);
  if (!match) return { scheme: 'other' };
  const scheme = (match[1] ?? '').toLowerCase();
  const rest = match[2] ?? '';
  if (scheme === 'bearer') return { scheme: 'bearer', token: rest };
  if (scheme !== 'basic') return { scheme: 'other' };
  const bytes = fromBase64(rest);
  if (bytes === undefined) return { scheme: 'other' };
  const decoded = new TextDecoder().decode(bytes);
  const colon = decoded.indexOf(':');
  if (colon < 0) return { scheme: 'other' };
  return { scheme: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
