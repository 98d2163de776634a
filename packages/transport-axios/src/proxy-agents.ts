import type { ClientRequest, Agent as HttpAgent } from 'node:http';
import type { AgentOptions as HttpsAgentOptions } from 'node:https';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { type HttpProxyConfig, type HttpProxyOption, type ResolvedHttpProxy, resolveHttpProxy } from '@regkit/core/transport-kit';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';

/** An HTTP forward proxy (`http:` URL, user info as Basic credentials), or `{ uri, token }`. */
export type AxiosHttpProxy = HttpProxyOption;

/** An HTTP proxy with an explicit `Proxy-Authorization` value. */
export type AxiosHttpProxyConfig = HttpProxyConfig;

/** Checks the `httpProxy` option; messages never repeat the URL, which may hold a password. */
export function resolveAxiosProxy(option: unknown): ResolvedHttpProxy {
  return resolveHttpProxy(option, { source: '@regkit/transport-axios' });
}

/** The two agents that carry traffic through a proxy: absolute-form for http targets, CONNECT tunnels for https. */
export interface ProxyAgents {
  readonly http: HttpAgent;
  readonly https: HttpAgent;
}

/**
 * Agents from `http-proxy-agent` and `https-proxy-agent`, kept alive and
 * pooled per target origin (some proxies, tinyproxy for one, relay a
 * kept-alive client connection to the upstream it opened first).
 * `Proxy-Authorization` goes to the proxy only: on absolute-form requests,
 * and on the `CONNECT`, never inside the tunnel.
 */
export function createProxyAgents(proxy: ResolvedHttpProxy, defaults: { httpsAgent?: unknown }): ProxyAgents {
  const headers = proxy.authorization === undefined ? {} : { 'Proxy-Authorization': proxy.authorization };
  // The TLS settings of the instance's https agent (ca, rejectUnauthorized…) apply inside the tunnel.
  const tls = (defaults.httpsAgent as { options?: HttpsAgentOptions } | undefined)?.options ?? {};
  return {
    http: new HttpProxyAgent(proxy.origin, { keepAlive: true, headers }),
    https: new StrictTunnelAgent(proxy.origin, tls, headers),
  };
}

/**
 * `https-proxy-agent` hands a refused `CONNECT` (a 407, say) back as if the
 * registry had answered it over TLS. Here the request fails instead, naming
 * the proxy, so an answer from the proxy is never taken for the registry's.
 */
class StrictTunnelAgent extends HttpsProxyAgent<string> {
  readonly #tls: HttpsAgentOptions;

  constructor(uri: string, tls: HttpsAgentOptions, headers: Record<string, string>) {
    super(uri, { keepAlive: true, headers });
    // The base agent keeps no options of its own: the TLS settings are added to each tunnel's handshake here.
    this.#tls = tls;
  }

  override connect(request: ClientRequest, options: Parameters<HttpsProxyAgent<string>['connect']>[1]) {
    request.once('proxyConnect', ({ statusCode }: { statusCode: number }) => {
      if (statusCode === 200) return;
      const target = `${options.host}:${options.port}`;
      const message = `the HTTP proxy ${this.proxy.origin} refused CONNECT ${target} (HTTP ${statusCode})`;
      request.destroy(Object.assign(new Error(message), { code: 'ERR_PROXY_TUNNEL' }));
    });
    // https-proxy-agent starts the tunnel's TLS without the target host, and names an IP-address target
    // nowhere (no SNI for IPs): Node then checks the certificate against "localhost". The check is made
    // against the registry's own host here, through the user's check if their agent has one.
    const host = options.host ?? '';
    const check = this.#tls.checkServerIdentity ?? checkServerIdentity;
    const identity = { checkServerIdentity: (_: string, certificate: PeerCertificate) => check(host, certificate) };
    return super.connect(request, { ...this.#tls, ...options, ...identity });
  }
}
