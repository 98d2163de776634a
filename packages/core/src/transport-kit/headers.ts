import type { HeaderMap } from '../transport';

/** A WHATWG `Headers` as far as {@link joinHeaders} needs one. */
/** A WHATWG `Headers`-like object: anything that lists its fields with `forEach`. */
export interface HeadersLike {
  /** Calls `callback` once per field (for `set-cookie`, once per value). */
  forEach(callback: (value: string, name: string) => void): void;
}

/** An object that turns itself into a plain record of fields, as `AxiosHeaders` does. */
export interface SerializableHeaders {
  /** The fields as a plain record. */
  toJSON(): unknown;
}

/** What HTTP libraries hand back as response headers. */
export type HeaderSource = HeadersLike | Readonly<Record<string, unknown>> | SerializableHeaders;

/**
 * Response headers as the Transport contract wants them: lower-case names,
 * repeated fields joined with `", "` (RFC 9110 §5.3), which keeps
 * `WWW-Authenticate` and `Link` parseable. Accepts a WHATWG `Headers`
 * (which yields `set-cookie` once per value), an `AxiosHeaders` (through
 * `toJSON`), or a plain record whose repeats are arrays (undici, Node's
 * `IncomingMessage.headers`); `undefined`, `null` and `false` values are
 * dropped, numbers written out.
 */
export function joinHeaders(source: HeaderSource | null | undefined): HeaderMap {
  const map: HeaderMap = {};
  const add = (name: string, value: unknown) => {
    if (value === undefined || value === null || value === false) return;
    const text = Array.isArray(value) ? value.map(String).join(', ') : String(value);
    const key = name.toLowerCase();
    const previous = map[key];
    map[key] = previous === undefined ? text : `${previous}, ${text}`;
  };
  if (source === null || source === undefined) return map;
  if (typeof (source as HeadersLike).forEach === 'function') {
    (source as HeadersLike).forEach((value, name) => {
      add(name, value);
    });
    return map;
  }
  const record =
    typeof (source as { toJSON?: unknown }).toJSON === 'function'
      ? ((source as { toJSON(): unknown }).toJSON() as Record<string, unknown>)
      : (source as Record<string, unknown>);
  for (const [name, value] of Object.entries(record ?? {})) add(name, value);
  return map;
}

/**
 * The request headers with `accept-encoding: identity` unless the caller set
 * `accept-encoding`. Libraries that offer gzip on their own (fetch, axios)
 * would otherwise get compressed bodies that no longer match their
 * `content-length` or digest.
 */
export function withIdentityEncoding(headers: Readonly<HeaderMap>): HeaderMap {
  return 'accept-encoding' in headers ? { ...headers } : { ...headers, 'accept-encoding': 'identity' };
}
