import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';

/** A running loopback HTTP server. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** Stops accepting connections, drops open ones and resolves when closed. */
  close(): Promise<void>;
}

function toRequest(req: IncomingMessage, origin: string, signal: AbortSignal): Request {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
  }
  const method = req.method ?? 'GET';
  const hasBody =
    method !== 'GET' &&
    method !== 'HEAD' &&
    (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined);
  const init: RequestInit & { duplex?: 'half' } = { method, headers, signal };
  if (hasBody) {
    init.body = Readable.toWeb(req) as unknown as ReadableStream<Uint8Array>;
    init.duplex = 'half';
  }
  return new Request(new URL(req.url ?? '/', origin), init);
}

/** Resolves on `drain` or `close`, removing both listeners, so long bodies do not pile them up. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

async function writeResponse(response: Response, res: ServerResponse, head: boolean): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  res.writeHead(response.status, headers);
  if (response.body === null || head) {
    await response.body?.cancel();
    res.end();
    return;
  }
  const reader = response.body.getReader();
  // Stop reading when the client goes away, so a slow consumer of a big blob
  // does not keep the stream alive.
  const onClose = () => {
    if (!res.writableFinished) void reader.cancel().catch(() => {});
  };
  res.once('close', onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await drained(res);
      if (res.destroyed) return;
    }
    res.end();
  } finally {
    res.off('close', onClose);
  }
}

/**
 * Serves a WHATWG request handler on 127.0.0.1 with node:http, streaming
 * response bodies with backpressure. Used by `registry.listen()` for clients
 * that MSW cannot intercept (undici's own `request`/`Dispatcher`).
 */
export async function serveLoopback(handler: (request: Request) => Promise<Response>, port = 0): Promise<LoopbackServer> {
  let origin = '';
  const server = createServer((req, res) => {
    // Aborts the handler's work (fault delays) when the client goes away before the answer.
    const gone = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) gone.abort(new Error('client closed the connection'));
    });
    void (async () => {
      try {
        const response = await handler(toRequest(req, origin, gone.signal));
        // Response.error() means "drop the connection" (a `reset` fault).
        if (response.type === 'error') {
          req.socket.destroy();
          return;
        }
        await writeResponse(response, res, req.method === 'HEAD');
      } catch (error) {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
          res.end(`[@regkit/testing] handler failed: ${error instanceof Error ? error.message : String(error)}\n`);
        } else {
          // The body failed mid-way (a truncateBody fault): close after what was
          // written reaches the client, so it sees a short body, not nothing.
          const socket = res.socket;
          if (socket === null) res.destroy();
          else {
            socket.end();
            setTimeout(() => socket.destroy(), 1_000).unref();
          }
        }
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closing: Promise<void> | undefined;
  return {
    origin,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
