import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions as HttpsAgentOptions } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import type { ResolvedProxy } from './http-proxy';

/** The error a tunnel fails with; its message names the proxy without credentials. */
export class ProxyTunnelError extends Error {
  override readonly name = 'ProxyTunnelError';
  /** `ERR_PROXY_TUNNEL`, so error mapping can tell it from socket errors. */
  readonly code = 'ERR_PROXY_TUNNEL';
  /** The proxy's status for the CONNECT, when it answered. */
  readonly status: number | undefined;

  constructor(message: string, status?: number, options?: ErrorOptions) {
    super(message, options);
    this.status = status;
  }
}

type CreateConnectionCallback = (error: Error | null, socket: Duplex) => void;

/**
 * An `https.Agent` whose connections go through an HTTP proxy's `CONNECT`
 * tunnel: the proxy sees only `host:port`, and TLS runs end to end with the
 * registry. Keep-alive pooling works as with any `https.Agent` (sockets are
 * pooled per origin and TLS options). `Proxy-Authorization` goes on the
 * `CONNECT` only, never on the tunnelled request.
 */
export class ConnectTunnelAgent extends HttpsAgent {
  readonly #proxy: ResolvedProxy;

  constructor(proxy: ResolvedProxy, options: HttpsAgentOptions = {}) {
    super(options);
    this.#proxy = proxy;
  }

  // Node's Agent accepts a socket either as the return value or through the callback.
  override createConnection(options: RequestOptions, callback?: CreateConnectionCallback): Duplex | null | undefined {
    const done = callback ?? (() => undefined);
    const host = (options.host ?? options.hostname ?? 'localhost').replace(/^\[|\]$/g, '');
    const port = Number(options.port ?? 443);
    const authority = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    const proxy = this.#proxy;

    const connect = httpRequest({
      host: proxy.hostname,
      port: proxy.port,
      method: 'CONNECT',
      path: authority,
      agent: false,
      headers: {
        host: authority,
        ...(proxy.authorization !== undefined && { 'proxy-authorization': proxy.authorization }),
      },
    });
    let settled = false;
    const finish = (error: Error | null, socket?: Duplex) => {
      if (settled) return;
      settled = true;
      // Node's Agent ignores the socket argument when there is an error.
      done(error, socket as Duplex);
    };
    connect.once('connect', (response: IncomingMessage, socket: Socket, head: Buffer) => {
      if (response.statusCode !== 200) {
        socket.destroy();
        finish(
          new ProxyTunnelError(
            `the HTTP proxy ${proxy.display} refused CONNECT ${authority} (HTTP ${response.statusCode ?? '?'})`,
            response.statusCode,
          ),
        );
        return;
      }
      // Bytes the proxy sent after its 200 belong to the TLS handshake.
      if (head.length > 0) socket.unshift(head);
      const tlsOptions: ConnectionOptions = { ...(options as ConnectionOptions), socket };
      finish(null, tlsConnect(tlsOptions));
    });
    // A proxy that answers a CONNECT with a normal response (some do for errors).
    connect.once('response', (response: IncomingMessage) => {
      response.resume();
      finish(
        new ProxyTunnelError(
          `the HTTP proxy ${proxy.display} refused CONNECT ${authority} (HTTP ${response.statusCode ?? '?'})`,
          response.statusCode,
        ),
      );
    });
    connect.once('error', (error) => {
      finish(
        new ProxyTunnelError(`the HTTP proxy ${proxy.display} could not be reached: ${error.message}`, undefined, {
          cause: error,
        }),
      );
    });
    connect.end();
    return undefined;
  }
}
