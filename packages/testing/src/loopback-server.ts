import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CorsPolicy, corsPreflightHeaders, corsResponseHeaders, isPreflight } from './cors';

/** A running loopback HTTP server. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** Stops accepting connections, drops open ones and resolves when closed. */
  close(): Promise<void>;
}

/** Options of {@link serveLoopback}. */
export interface ServeOptions {
  /** Port to listen on. Default 0: any free port. */
  readonly port?: number | undefined;
  /** Answer browsers' preflights and add CORS headers to every answer. */
  readonly cors?: CorsPolicy | undefined;
}

type NodeHttp = typeof import('node:http');
type NodeStream = typeof import('node:stream');

/**
 * Looks `node:http` and `node:stream` up at call time instead of importing
 * them, so the package's main entry (the fake registry, the handler
 * transport) bundles and loads in browsers and workers; only `listen()`
 * needs a server runtime (Node, Deno, Bun).
 */
function nodeModules(): { http: NodeHttp; stream: NodeStream } {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const http = proc?.getBuiltinModule?.('node:http') as NodeHttp | undefined;
  const stream = proc?.getBuiltinModule?.('node:stream') as NodeStream | undefined;
  if (http === undefined || stream === undefined) {
    throw new Error(
      '[@regkit/testing] listen() needs node:http (Node.js >= 20.16, Deno or Bun); in a browser use handle() or createHandlerTransport()',
    );
  }
  return { http, stream };
}

function toRequest(req: IncomingMessage, origin: string, signal: AbortSignal, stream: NodeStream): Request {
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
    init.body = stream.Readable.toWeb(req) as unknown as ReadableStream<Uint8Array>;
    init.duplex = 'half';
  }
  return new Request(new URL(req.url ?? '/', origin), init);
}

function singleHeader(value: string | string[] | undefined): string | null {
  return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
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

async function writeResponse(
  response: Response,
  res: ServerResponse,
  head: boolean,
  extraHeaders: Readonly<Record<string, string>>,
): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  Object.assign(headers, extraHeaders);
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
 * that MSW cannot intercept (undici's own `request`/`Dispatcher`) and for
 * other runtimes and browsers. With `cors`, preflights get a 204 here
 * (the handler never sees them) and every answer carries the CORS headers.
 */
export async function serveLoopback(
  handler: (request: Request) => Promise<Response>,
  options: ServeOptions = {},
): Promise<LoopbackServer> {
  const { http, stream } = nodeModules();
  const { cors } = options;
  const extraHeaders = cors === undefined ? {} : corsResponseHeaders(cors);
  let origin = '';
  const server = http.createServer((req, res) => {
    if (cors !== undefined && isPreflight(req.method ?? '', { get: (name) => singleHeader(req.headers[name]) })) {
      res.writeHead(204, corsPreflightHeaders(cors));
      res.end();
      return;
    }
    // Aborts the handler's work (fault delays) when the client goes away before the answer.
    const gone = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) gone.abort(new Error('client closed the connection'));
    });
    void (async () => {
      try {
        const response = await handler(toRequest(req, origin, gone.signal, stream));
        // Response.error() means "drop the connection" (a `reset` fault).
        if (response.type === 'error') {
          req.socket.destroy();
          return;
        }
        await writeResponse(response, res, req.method === 'HEAD', extraHeaders);
      } catch (error) {
        if (!res.headersSent) {
          res.writeHead(500, { ...extraHeaders, 'content-type': 'text/plain; charset=utf-8' });
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
    server.listen(options.port ?? 0, '127.0.0.1', () => {
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
