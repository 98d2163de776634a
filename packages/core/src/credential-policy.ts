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
 * Validates a token service realm from a `Bearer` challenge before any
 * credential is sent to it, and returns it parsed.
 *
 * The realm must be an absolute `http:` or `https:` URL without user info.
 * Plain `http:` is accepted only when the realm is on a loopback host, when
 * `registry.plaintextAllowed` is set, or when it is on the registry's own
 * host and the registry itself speaks `http`. An `https` registry whose realm
 * is `http` on the same host is refused: that would still downgrade the
 * credentials' transport.
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
  if (url.protocol === 'http:') {
    const sameHost = url.host === registry.host.toLowerCase() && registry.protocol === 'http';
    if (!(sameHost || registry.plaintextAllowed || isLoopbackHost(url.host))) {
      throw new InsecureCredentialsError(
        `token realm ${origin} from ${registry.origin} uses plain http; credentials are sent only over https ` +
          '(plain http is allowed for loopback hosts and registries created with protocol "http")',
      );
    }
  }
  return url;
}
