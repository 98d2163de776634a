import { type ResolvedHttpProxy, readProxyEnvironment, resolveHttpProxy } from '@regkit/core/transport-kit';
import { isProxyExempt } from './no-proxy';

/** Which forward proxy, if any, carries a request: read once from `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY`. */
export interface ProxyEnvironmentRoutes {
  /** The proxy for this URL, or undefined to connect directly. */
  proxyFor(url: URL): ResolvedHttpProxy | undefined;
}

/**
 * Reads the proxy variables the way the library's transports do (lower-case
 * first, empty values unset): `HTTP_PROXY` for http registries,
 * `HTTPS_PROXY` for https ones, falling back to `HTTP_PROXY` as undici's
 * environment agent does, and `NO_PROXY` for the hosts to reach directly.
 * Only `http:` proxies are accepted: the CLI speaks plain HTTP to the proxy
 * and tunnels TLS through it.
 *
 * @throws InvalidOptionError naming the variable when a proxy URL is not a bare `http:` origin
 */
export function readProxyRoutes(env: Readonly<Record<string, string | undefined>>): ProxyEnvironmentRoutes | undefined {
  const { httpProxy, httpsProxy, noProxy } = readProxyEnvironment(env);
  const resolve = (value: string | undefined, option: string) =>
    value === undefined ? undefined : resolveHttpProxy(value, { source: 'regkit', option, protocols: ['http:'] });
  const forHttp = resolve(httpProxy, 'HTTP_PROXY');
  const forHttps = resolve(httpsProxy, 'HTTPS_PROXY') ?? forHttp;
  if (forHttp === undefined && forHttps === undefined) return undefined;
  return {
    proxyFor(url) {
      if (isProxyExempt(noProxy, url)) return undefined;
      return url.protocol === 'https:' ? forHttps : forHttp;
    },
  };
}
