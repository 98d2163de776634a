/**
 * Test support (not exported from the package): a minimal HTTP forward proxy
 * on 127.0.0.1 that forwards absolute-form requests and tunnels CONNECT, and
 * records what it was asked, so tests can prove traffic went through it.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, connect as netConnect, type Socket } from 'node:net';

/** A request the proxy received. */
export interface ProxiedRequest {
  /** `GET`, `PUT`, `CONNECT`… */
  readonly method: string;
  /** The request target: an absolute URL, or `host:port` for CONNECT. */
  readonly target: string;
  /** The `Proxy-Authorization` header, if any. */
  readonly proxyAuthorization: string | undefined;
  /** The `Authorization` header the proxy could read, if any. */
  readonly authorization: string | undefined;
  /** Which client connection carried it (1, 2, …). */
  readonly connection: number;
}

/** A running loopback proxy. */
export interface LoopbackProxy {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly requests: readonly ProxiedRequest[];
  close(): Promise<void>;
}

/**
 * Starts the proxy. With `requireAuthorization`, requests without exactly
 * that `Proxy-Authorization` value get 407.
 */
export async function startLoopbackProxy(options: { requireAuthorization?: string } = {}): Promise<LoopbackProxy> {
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const connectionIds = new WeakMap<Socket, number>();
  let connections = 0;
  const record = (request: IncomingMessage) => {
    requests.push({
      connection: connectionIds.get(request.socket) ?? 0,
      method: request.method ?? '',
      target: request.url ?? '',
      proxyAuthorization: request.headers['proxy-authorization'],
      authorization: request.headers.authorization,
    });
    return options.requireAuthorization === undefined || request.headers['proxy-authorization'] === options.requireAuthorization;
  };

  const server: Server = createServer((request, response) => {
    if (!record(request)) {
      response.writeHead(407, { 'proxy-authenticate': 'Basic realm="proxy"' });
      response.end();
      return;
    }
    const target = new URL(request.url ?? '');
    const headers = { ...request.headers };
    delete headers['proxy-authorization'];
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: request.method, path: `${target.pathname}${target.search}`, headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  });
  server.on('connection', (socket) => {
    connectionIds.set(socket, ++connections);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('connect', (request: IncomingMessage, client: Socket, head: Buffer) => {
    if (!record(request)) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nproxy-authenticate: Basic realm="proxy"\r\n\r\n');
      return;
    }
    const [host, port] = (request.url ?? '').split(':');
    const upstream = netConnect(Number(port), host ?? '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    async close() {
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
