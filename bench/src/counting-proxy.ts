import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback reverse proxy that counts the HTTP requests passing through it. */
export interface CountingProxy {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** `127.0.0.1:<port>`. */
  readonly host: string;
  /** Requests, TCP connections and non-HTTP connections since the last {@link reset}. */
  counts(): { readonly requests: number; readonly connections: number; readonly nonHttp: number };
  reset(): void;
  close(): Promise<void>;
}

/**
 * Starts a proxy in front of `127.0.0.1:targetPort`. It forwards every
 * request unchanged (method, path, headers, body) and streams the answer
 * back. Clients are pointed at it for one untimed run per measurement, so
 * the request count comes from the wire, whatever the client is written in.
 * Connections that open with something other than HTTP/1 (a TLS hello) are
 * counted apart and closed.
 */
export async function startCountingProxy(targetPort: number): Promise<CountingProxy> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let requests = 0;
  let connections = 0;
  let nonHttp = 0;
  const server = createServer((incoming, outgoing) => {
    requests++;
    const upstream = request(
      { host: '127.0.0.1', port: targetPort, method: incoming.method, path: incoming.url, headers: incoming.headers, agent },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    upstream.on('error', (error) => outgoing.destroy(error));
    incoming.pipe(upstream);
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', () => {
    connections++;
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    // HPE_* are parse errors: the peer did not speak HTTP/1. Resets of idle sockets are not counted.
    if (error.code?.startsWith('HPE_')) nonHttp++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    counts: () => ({ requests, connections, nonHttp }),
    reset() {
      requests = 0;
      connections = 0;
      nonHttp = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        agent.destroy();
      }),
  };
}
