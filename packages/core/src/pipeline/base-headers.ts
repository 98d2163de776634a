import type { HeaderMap } from '../transport';

/**
 * Every request core sends, to the registry or to a token service, carries
 * these. `accept-encoding: identity` comes last and cannot be overridden: a
 * decoded body would no longer hash to its digest, and a compressed error or
 * token body would be a decompression bomb outside the size caps.
 */
export function withBaseHeaders(userAgent: string, headers: HeaderMap | undefined): HeaderMap {
  const out: HeaderMap = { 'user-agent': userAgent };
  if (headers) for (const name in headers) out[name.toLowerCase()] = headers[name] as string;
  out['accept-encoding'] = 'identity';
  return out;
}

/** `base` with `added` on top (names lower-cased), keeping core's `accept-encoding`. */
export function withAddedHeaders(base: HeaderMap, added: HeaderMap | undefined): HeaderMap {
  if (added === undefined) return base;
  let out: HeaderMap | undefined;
  for (const name in added) {
    out ??= { ...base };
    out[name.toLowerCase()] = added[name] as string;
  }
  if (out === undefined) return base;
  out['accept-encoding'] = 'identity';
  return out;
}
