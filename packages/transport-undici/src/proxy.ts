import { InvalidOptionError } from '@regkit/core';
import { type HttpProxyConfig, type HttpProxyOption, readProxyEnvironment, resolveHttpProxy } from '@regkit/core/transport-kit';
import { type Agent, type Dispatcher, EnvHttpProxyAgent, ProxyAgent } from 'undici';

/**
 * An HTTP forward proxy that carries the transport's traffic (what
 * `HTTPS_PROXY` names), not a registry mirror: `Registry`'s own `proxy`
 * option is a mirror host. Either the proxy URL (`http:` or `https:`), whose
 * user info becomes Basic proxy credentials
 * (`http://user:pass@proxy.internal:3128`), or the URL and a
 * `Proxy-Authorization` value to send as is.
 */
export type UndiciHttpProxy = HttpProxyOption;

/** An HTTP proxy with an explicit `Proxy-Authorization` value. */
export type UndiciHttpProxyConfig = HttpProxyConfig;

/** The proxy settings of `createUndiciTransport`. */
export interface ProxyOptions {
  readonly httpProxy?: UndiciHttpProxy;
  readonly useEnvProxy?: boolean;
}

const POLICY = { source: '@regkit/transport-undici', protocols: ['http:', 'https:'] };

/** Checks `httpProxy` and `useEnvProxy`. Messages never repeat the proxy URL, which may hold a password. */
export function validateProxyOptions(options: ProxyOptions & { readonly dispatcher?: unknown }): void {
  const { httpProxy, useEnvProxy } = options;
  const fail = (option: string, message: string): never => {
    throw new InvalidOptionError(option, `@regkit/transport-undici: ${message}`);
  };
  if (useEnvProxy !== undefined && typeof useEnvProxy !== 'boolean') fail('useEnvProxy', '`useEnvProxy` must be a boolean');
  if (httpProxy !== undefined) resolveHttpProxy(httpProxy, POLICY);
  if (httpProxy !== undefined && useEnvProxy === true)
    fail('httpProxy', 'give either `httpProxy` or `useEnvProxy: true`, not both');
  if (options.dispatcher !== undefined && (httpProxy !== undefined || useEnvProxy === true)) {
    fail(
      httpProxy !== undefined ? 'httpProxy' : 'useEnvProxy',
      'a proxy option has no effect with your own `dispatcher`; use an undici ProxyAgent or EnvHttpProxyAgent as the dispatcher instead',
    );
  }
}

/**
 * The transport's own dispatcher when a proxy is configured, or undefined
 * for a direct `Agent`. `ProxyAgent` tunnels every request with `CONNECT`
 * (plain-HTTP targets too), so the proxy sees only `host:port`. The
 * environment is read here, once, with empty variables counted as unset.
 */
export function createProxyDispatcher(options: ProxyOptions, agentOptions: Agent.Options): Dispatcher | undefined {
  if (options.httpProxy !== undefined) {
    const { origin, authorization } = resolveHttpProxy(options.httpProxy, POLICY);
    // ProxyAgent reaches the proxy with a connector of its own, which ignores `connectTimeout`.
    const timeout = agentOptions.connectTimeout;
    return new ProxyAgent({
      ...agentOptions,
      uri: origin,
      ...(authorization !== undefined && { token: authorization }),
      ...(typeof timeout === 'number' && { proxyTls: { timeout } }),
    });
  }
  if (options.useEnvProxy === true) {
    const env = readProxyEnvironment(process.env);
    // Explicit empty values keep undici from falling back to the variables it would read itself.
    return new EnvHttpProxyAgent({
      ...agentOptions,
      httpProxy: env.httpProxy ?? '',
      httpsProxy: env.httpsProxy ?? '',
      noProxy: env.noProxy ?? '',
    });
  }
  return undefined;
}
