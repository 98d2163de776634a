import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { type AddressInfo, createServer as createTcpServer, type Server, type Socket } from 'node:net';

/** A raw TCP server started by {@link ServerScope.serveTcp}. */
export interface TcpServerInfo {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
}

/** A request as the loopback server received it. */
export interface SeenRequest {
  /** HTTP method. */
  readonly method: string;
  /** Path and query, exactly as sent. */
  readonly url: string;
  /** Headers, lower-case names (Node joins most repeats with `", "`). */
  readonly headers: IncomingHttpHeaders;
}

/** A loopback server started for one check, closed when the check ends. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** Every request received so far, in order. */
  readonly requests: readonly SeenRequest[];
  /** TCP connections accepted so far: a client that keeps connections alive opens one per request in flight. */
  readonly connections: number;
  /** An absolute URL on this server. */
  url(pathAndQuery: string): string;
  /** Resolves once `count` requests have arrived (rejects after `timeoutMs`). */
  waitForRequests(count: number, timeoutMs?: number): Promise<void>;
}

/** Handles one request; may be async. A throw destroys the connection. */
export type LoopbackHandler = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

/**
 * Starts and tracks loopback servers (127.0.0.1, ephemeral ports) and closes
 * all of them, connections included, in {@link ServerScope.closeAll}.
 */
export class ServerScope {
  readonly #closers: (() => Promise<void>)[] = [];

  /**
   * Starts an HTTP server that runs `handler` for every request; an HTTPS
   * one (origin `https://127.0.0.1:<port>`) when given a key and certificate.
   */
  async serve(handler: LoopbackHandler, tls?: { readonly key: string; readonly cert: string }): Promise<LoopbackServer> {
    const requests: SeenRequest[] = [];
    const waiters: { count: number; resolve: () => void }[] = [];
    const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
      requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
      for (const waiter of waiters.filter((w) => requests.length >= w.count)) waiter.resolve();
      Promise.resolve()
        .then(() => handler(request, response))
        .catch(() => request.socket.destroy());
    };
    const server = tls === undefined ? createServer(onRequest) : createTlsServer(tls, onRequest);
    // Keep-alive sockets would otherwise hold `close()` open.
    const origin = (await listen(server)).replace(/^http:/, tls === undefined ? 'http:' : 'https:');
    let connections = 0;
    // TLS servers emit `connection` for the TCP socket as well, before the handshake.
    server.on('connection', () => connections++);
    this.#closers.push(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    return {
      origin,
      requests,
      get connections() {
        return connections;
      },
      url: (pathAndQuery) => `${origin}${pathAndQuery}`,
      waitForRequests(count, timeoutMs = 5_000) {
        if (requests.length >= count) return Promise.resolve();
        return new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`the server received ${requests.length} request(s), expected ${count}`)),
            timeoutMs,
          );
          waiters.push({
            count,
            resolve: () => {
              clearTimeout(timer);
              resolve();
            },
          });
        });
      },
    };
  }

  /** Starts a raw TCP server, for answers that are not valid HTTP. */
  async serveTcp(onConnection: (socket: Socket) => void): Promise<TcpServerInfo> {
    const sockets = new Set<Socket>();
    const server = createTcpServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      onConnection(socket);
    });
    const origin = await listen(server);
    this.#closers.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    return { origin };
  }

  /** An origin on which nothing listens: a port that was free a moment ago. */
  async refusedOrigin(): Promise<string> {
    const server = createTcpServer();
    const origin = await listen(server);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return origin;
  }

  /** Closes every server of this scope and destroys their connections. */
  async closeAll(): Promise<void> {
    const closers = this.#closers.splice(0);
    await Promise.all(closers.map((close) => close().catch(() => undefined)));
  }
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve(`http://127.0.0.1:${port}`);
    });
  });
}
