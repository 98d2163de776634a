import { InvalidOptionError } from '../errors/option-errors';

/**
 * An HTTP forward proxy that carries a transport's traffic (what
 * `HTTPS_PROXY` names), not a registry mirror: `Registry`'s own `proxy`
 * option is a mirror host. Either the proxy URL, whose user info becomes
 * Basic proxy credentials (`http://user:pass@proxy.internal:3128`), or the
 * URL and a `Proxy-Authorization` value to send as is.
 */
export type HttpProxyOption = string | HttpProxyConfig;

/** An HTTP proxy with an explicit `Proxy-Authorization` value. */
export interface HttpProxyConfig {
  /** The proxy URL, `http://host:port` (user info in it becomes Basic proxy credentials). */
  readonly uri: string;
  /** The full `Proxy-Authorization` header value, e.g. `Basic …` or `Bearer …`. Never logged. */
  readonly token?: string;
}

/** A checked proxy. */
export interface ResolvedHttpProxy {
  /** The proxy origin without credentials, e.g. `http://proxy.internal:3128`: safe to show. */
  readonly origin: string;
  /** `http:` or `https:`. */
  readonly protocol: string;
  /** Host name, IPv6 without brackets. */
  readonly hostname: string;
  /** Port, the scheme's default filled in. */
  readonly port: number;
  /** The `Proxy-Authorization` value, or undefined. Never put it in a message. */
  readonly authorization: string | undefined;
}

/** How {@link resolveHttpProxy} reports and what it accepts. */
export interface HttpProxyPolicy {
  /** Prefix of messages, e.g. `@regkit/transport-undici`. */
  readonly source: string;
  /** The option's name in messages and in `InvalidOptionError.option`. Default `httpProxy`. */
  readonly option?: string;
  /** Schemes the proxy may be reached with. Default `['http:']`. */
  readonly protocols?: readonly string[];
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Checks an HTTP proxy option and splits it into address and credentials.
 * Messages never repeat the URL, which may hold a password.
 *
 * @throws InvalidOptionError for anything but a bare `http:` (or allowed) origin with consistent credentials
 */
export function resolveHttpProxy(value: unknown, policy: HttpProxyPolicy): ResolvedHttpProxy {
  const option = policy.option ?? 'httpProxy';
  const fail = (message: string): never => {
    throw new InvalidOptionError(option, `${policy.source}: ${message}`);
  };
  const isObject = typeof value === 'object' && value !== null;
  const uri: unknown = isObject ? (value as { uri?: unknown }).uri : value;
  const token: unknown = isObject ? (value as { token?: unknown }).token : undefined;
  if (typeof uri !== 'string' || uri === '') fail(`\`${option}\` must be a proxy URL or { uri, token? }`);
  let url!: URL;
  try {
    url = new URL(uri as string);
  } catch {
    fail(`\`${option}\` is not an absolute URL (expected e.g. http://proxy.internal:3128)`);
  }
  const protocols = policy.protocols ?? ['http:'];
  if (!protocols.includes(url.protocol)) {
    // The scheme is not echoed: in `user:secret@host` it would be the user name.
    fail(`\`${option}\` must be an ${protocols.join(' or ')} URL`);
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') fail(`\`${option}\` must be a bare origin, without a path`);
  if (token !== undefined && (typeof token !== 'string' || token === '' || CONTROL.test(token))) {
    fail(`\`${option}.token\` must be a non-empty header value without control characters`);
  }
  const hasUserInfo = url.username !== '' || url.password !== '';
  if (token !== undefined && hasUserInfo) fail('give proxy credentials either in the URL or as `token`, not both');
  let authorization = token as string | undefined;
  if (authorization === undefined && hasUserInfo) {
    const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    authorization = `Basic ${base64(credentials)}`;
  }
  return {
    origin: url.origin,
    protocol: url.protocol,
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port),
    authorization,
  };
}

function base64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Proxy settings read from the environment. */
export interface ProxyEnvironment {
  /** `http_proxy` / `HTTP_PROXY`. */
  readonly httpProxy?: string;
  /** `https_proxy` / `HTTPS_PROXY`. */
  readonly httpsProxy?: string;
  /** `no_proxy` / `NO_PROXY`. */
  readonly noProxy?: string;
}

/**
 * Reads `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY` (lower-case forms first,
 * as curl does). An empty or blank value counts as unset, so
 * `http_proxy=` does not hide `HTTP_PROXY` and `HTTPS_PROXY=""` does not
 * mean "a proxy at the empty URL".
 */
export function readProxyEnvironment(env: Readonly<Record<string, string | undefined>>): ProxyEnvironment {
  const read = (name: string): string | undefined => {
    for (const key of [name.toLowerCase(), name.toUpperCase()]) {
      const value = env[key]?.trim();
      if (value) return value;
    }
    return undefined;
  };
  const httpProxy = read('http_proxy');
  const httpsProxy = read('https_proxy');
  const noProxy = read('no_proxy');
  return {
    ...(httpProxy !== undefined && { httpProxy }),
    ...(httpsProxy !== undefined && { httpsProxy }),
    ...(noProxy !== undefined && { noProxy }),
  };
}
