import { InvalidOptionError } from '@regkit/core';

/**
 * An HTTP forward proxy that carries the transport's traffic (what
 * `HTTPS_PROXY` names), not a registry mirror: `Registry`'s own `proxy`
 * option is a mirror host. Either the proxy URL, whose user info becomes
 * Basic proxy credentials (`http://user:pass@proxy.internal:3128`), or the
 * URL and a `Proxy-Authorization` value to send as is.
 */
export type AxiosHttpProxy = string | AxiosHttpProxyConfig;

/** An HTTP proxy with an explicit `Proxy-Authorization` value. */
export interface AxiosHttpProxyConfig {
  /** The proxy URL, `http://host:port` (user info in it becomes Basic proxy credentials). */
  readonly uri: string;
  /** The full `Proxy-Authorization` header value, e.g. `Basic …` or `Bearer …`. Never logged. */
  readonly token?: string;
}

/** A validated proxy: where it is and what to send as `Proxy-Authorization`. */
export interface ResolvedProxy {
  readonly protocol: 'http:';
  readonly hostname: string;
  readonly port: number;
  /** `Proxy-Authorization` value, or undefined. Never shown in messages. */
  readonly authorization: string | undefined;
  /** The proxy origin without credentials, for messages. */
  readonly display: string;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

function fail(message: string): never {
  throw new InvalidOptionError('httpProxy', `[@regkit/transport-axios] ${message}`);
}

/**
 * Checks the `httpProxy` option and splits it into address and credentials.
 * Error messages never repeat the URL, which may hold a password.
 */
export function resolveHttpProxy(option: AxiosHttpProxy): ResolvedProxy {
  const isObject = typeof option === 'object' && option !== null;
  const uri: unknown = isObject ? (option as { uri?: unknown }).uri : option;
  const token: unknown = isObject ? (option as { token?: unknown }).token : undefined;
  if (typeof uri !== 'string' || uri === '') fail('`httpProxy` must be a proxy URL or { uri, token? }');
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    fail('`httpProxy` is not an absolute URL (expected e.g. http://proxy.internal:3128)');
  }
  if (url.protocol !== 'http:') {
    // The scheme is not echoed: in `user:secret@host` it would be the user name.
    fail('`httpProxy` must be an http: URL (the proxy itself is reached over plain HTTP)');
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') fail('`httpProxy` must be a bare origin, without a path');
  if (token !== undefined && (typeof token !== 'string' || token === '' || CONTROL.test(token))) {
    fail('`httpProxy.token` must be a non-empty header value without control characters');
  }
  if (token !== undefined && (url.username !== '' || url.password !== '')) {
    fail('give proxy credentials either in the URL or as `token`, not both');
  }
  let authorization = token as string | undefined;
  if (authorization === undefined && (url.username !== '' || url.password !== '')) {
    const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    authorization = `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
  }
  return {
    protocol: 'http:',
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? 80 : Number(url.port),
    authorization,
    display: `http://${url.host}`,
  };
}
