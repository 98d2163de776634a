/**
 * Where credentials may travel. These rules live in core so every
 * authenticator (ours and third parties') applies the same ones.
 */
import type { RegistryTarget } from './authenticator';
import { InsecureCredentialsError } from './errors/auth-errors';

// After WHATWG URL normalisation, so `127.1`, `0x7f.0.0.1` and `[0:0::1]` all land here.
const LOOPBACK_IPV4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
const LOOPBACK_IPV4_MAPPED = /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/;

function hostnameOf(host: string): string | undefined {
  // A bare host, optionally with a port: anything URL-like is refused so that
  // `evil.com@127.0.0.1` or `127.0.0.1/..` cannot pass as loopback.
  if (host === '' || /[/@?#\\\s]/.test(host)) return undefined;
  const colons = host.split(':').length - 1;
  const authority = colons > 1 && !host.startsWith('[') ? `[${host}]` : host;
  try {
    return new URL(`http://${authority}`).hostname;
  } catch {
    return undefined;
  }
}

/**
 * True when `host` (a host name or IP literal, optionally with `:port`, IPv6
 * with or without brackets) is the loopback interface: `localhost`,
 * 127.0.0.0/8, `::1`, or an IPv4-mapped 127.x address. Plain HTTP to such a
 * host never leaves the machine.
 *
 * @example
 * ```ts
 * isLoopbackHost('127.0.0.1:5000'); // true
 * isLoopbackHost('[::1]');          // true
 * isLoopbackHost('10.0.0.1');       // false
 * ```
 */
export function isLoopbackHost(host: string): boolean {
  if (typeof host !== 'string') return false;
  const hostname = hostnameOf(host);
  if (hostname === undefined) return false;
  return (
    hostname === 'localhost' ||
    hostname === 'localhost.' ||
    hostname === '[::1]' ||
    LOOPBACK_IPV4.test(hostname) ||
    LOOPBACK_IPV4_MAPPED.test(hostname)
  );
}

function describeOrigin(url: URL): string {
  // `URL.origin` is "null" for non-special schemes; name them anyway.
  return url.origin !== 'null' ? url.origin : `${url.protocol}//${url.host}`;
}

/**
 * Validates the shape of a token service realm from a `Bearer` challenge
 * before any credential is sent to it, and returns it parsed: an absolute
 * `http:` or `https:` URL without user info. Whether credentials may go to a
 * plain `http:` realm is the credential guard's one rule for every request
 * (`assertCredentialsMayTravel`: loopback, or the origin the user chose
 * `protocol: 'http'` for), applied right after this check.
 *
 * @throws {InsecureCredentialsError} naming the realm's origin (never its
 * query, never a credential).
 */
export function checkTokenRealm(realm: string, registry: RegistryTarget): URL {
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    throw new InsecureCredentialsError(`token realm from ${registry.origin} is not an absolute URL`);
  }
  const origin = describeOrigin(url);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InsecureCredentialsError(`token realm ${origin} from ${registry.origin} must be an http(s) URL`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new InsecureCredentialsError(`token realm ${origin} from ${registry.origin} must not contain user info`);
  }
  return url;
}
