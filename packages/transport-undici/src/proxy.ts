import { InvalidOptionError } from '@regkit/core';
import { type Agent, type Dispatcher, EnvHttpProxyAgent, ProxyAgent } from 'undici';

/**
 * An HTTP forward proxy that carries the transport's traffic (what
 * `HTTPS_PROXY` names), not a registry mirror: `Registry`'s own `proxy`
 * option is a mirror host. Either the proxy URL (`http:` or `https:`), whose
 * user info becomes Basic proxy credentials
 * (`http://user:pass@proxy.internal:3128`), or the URL and a
 * `Proxy-Authorization` value to send as is.
 */
export type UndiciHttpProxy = string | UndiciHttpProxyConfig;

/** An HTTP proxy with an explicit `Proxy-Authorization` value. */
export interface UndiciHttpProxyConfig {
  /** The proxy URL, `http://host:port` (user info in it becomes Basic proxy credentials). */
  readonly uri: string;
  /** The full `Proxy-Authorization` header value, e.g. `Basic …` or `Bearer …`. Never logged. */
  readonly token?: string;
}

/** The proxy settings of `createUndiciTransport`. */
export interface ProxyOptions {
  readonly httpProxy?: UndiciHttpProxy;
  readonly useEnvProxy?: boolean;
}

/** A checked proxy: its URL without credentials, and the `Proxy-Authorization` value. */
interface ResolvedProxy {
  readonly uri: string;
  readonly token: string | undefined;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

function fail(option: string, message: string): never {
  throw new InvalidOptionError(option, `[@regkit/transport-undici] ${message}`);
}

/**
 * Checks `httpProxy` and `useEnvProxy`. Messages never repeat the proxy URL,
 * which may hold a password.
 */
export function validateProxyOptions(options: ProxyOptions & { readonly dispatcher?: unknown }): void {
  const { httpProxy, useEnvProxy } = options;
  if (useEnvProxy !== undefined && typeof useEnvProxy !== 'boolean') fail('useEnvProxy', '`useEnvProxy` must be a boolean');
  if (httpProxy !== undefined) resolveProxy(httpProxy);
  if (httpProxy !== undefined && useEnvProxy === true) {
    fail('httpProxy', 'give either `httpProxy` or `useEnvProxy: true`, not both');
  }
  if (options.dispatcher !== undefined && (httpProxy !== undefined || useEnvProxy === true)) {
    fail(
      httpProxy !== undefined ? 'httpProxy' : 'useEnvProxy',
      'a proxy option has no effect with your own `dispatcher`; use an undici ProxyAgent or EnvHttpProxyAgent as the dispatcher instead',
    );
  }
}

function resolveProxy(option: UndiciHttpProxy): ResolvedProxy {
  const isObject = typeof option === 'object' && option !== null;
  const uri: unknown = isObject ? (option as { uri?: unknown }).uri : option;
  const token: unknown = isObject ? (option as { token?: unknown }).token : undefined;
  if (typeof uri !== 'string' || uri === '') fail('httpProxy', '`httpProxy` must be a proxy URL or { uri, token? }');
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    fail('httpProxy', '`httpProxy` is not an absolute URL (expected e.g. http://proxy.internal:3128)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    // The scheme is not echoed: in `user:secret@host` it would be the user name.
    fail('httpProxy', '`httpProxy` must be an http: or https: URL');
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    fail('httpProxy', '`httpProxy` must be a bare origin, without a path');
  }
  if (token !== undefined && (typeof token !== 'string' || token === '' || CONTROL.test(token))) {
    fail('httpProxy', '`httpProxy.token` must be a non-empty header value without control characters');
  }
  const hasUserInfo = url.username !== '' || url.password !== '';
  if (token !== undefined && hasUserInfo) fail('httpProxy', 'give proxy credentials either in the URL or as `token`, not both');
  // Credentials are turned into the header here (undici would skip a URL with a username but no password).
  let authorization = token as string | undefined;
  if (authorization === undefined && hasUserInfo) {
    const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    authorization = `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
  }
  return { uri: url.origin, token: authorization };
}

/** Pool settings the transport's own dispatcher is built with. */
export type OwnAgentOptions = Pick<
  Agent.Options,
  'connectTimeout' | 'headersTimeout' | 'bodyTimeout' | 'connections' | 'keepAliveTimeout'
>;

/**
 * The transport's own dispatcher when a proxy is configured, or undefined
 * for a direct `Agent`. `ProxyAgent` tunnels every request with `CONNECT`
 * (plain-HTTP targets too), so the proxy sees only `host:port`.
 */
export function createProxyDispatcher(options: ProxyOptions, agentOptions: OwnAgentOptions): Dispatcher | undefined {
  if (options.httpProxy !== undefined) {
    const { uri, token } = resolveProxy(options.httpProxy);
    // ProxyAgent reaches the proxy with a connector of its own, which ignores `connectTimeout`.
    const timeout = agentOptions.connectTimeout;
    return new ProxyAgent({
      ...agentOptions,
      uri,
      ...(token !== undefined && { token }),
      ...(typeof timeout === 'number' && { proxyTls: { timeout } }),
    });
  }
  if (options.useEnvProxy === true) return new EnvHttpProxyAgent(agentOptions);
  return undefined;
}
