import { type AgentOptions, type ClientRequest, type ClientRequestArgs, Agent as HttpAgent } from 'node:http';

const TARGET_ORIGIN = 'regkitTargetOrigin';

/**
 * The `http.Agent` for plain-HTTP targets sent to a forward proxy in
 * absolute form. Every such connection leads to the proxy, so a plain agent
 * would pool them all together and send a request for one registry on a
 * connection last used for another (a token server, say). HTTP allows that,
 * but common proxies do not honour it: tinyproxy, for one, relays a
 * kept-alive client connection to the upstream it opened for the first
 * request. Pooling per target origin keeps each proxy connection to one
 * upstream, and keeps keep-alive.
 */
export class ForwardProxyAgent extends HttpAgent {
  constructor(options: AgentOptions = {}) {
    super({ ...options, keepAlive: options.keepAlive ?? true });
  }

  // Node's Agent calls getName() with its own `path: null` over the request's, so the
  // target (the absolute URL in the request path) is carried over from addRequest.
  addRequest(request: ClientRequest, options: ClientRequestArgs): void {
    const base = HttpAgent.prototype as unknown as { addRequest(request: ClientRequest, options: object): void };
    base.addRequest.call(this, request, { ...options, [TARGET_ORIGIN]: targetOrigin(request.path) });
  }

  override getName(options?: ClientRequestArgs): string {
    const target = (options as Record<string, unknown> | undefined)?.[TARGET_ORIGIN];
    return `${super.getName(options)}>${typeof target === 'string' ? target : ''}`;
  }
}

/** In a forward-proxy request the path is the absolute target URL. */
function targetOrigin(path: string | undefined): string {
  if (!path) return '';
  try {
    return new URL(path).origin;
  } catch {
    return '';
  }
}
