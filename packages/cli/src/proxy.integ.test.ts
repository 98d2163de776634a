import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type Socket } from 'node:net';
import { createFakeRegistry } from '@regkit/testing';
import { createLoopbackTlsCredentials } from '@regkit/testing/token-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpTransport } from './http-transport';
import { readProxyRoutes } from './proxy-environment';
import { assertBuilt, runCli } from './test-support';

/** What the loopback proxy was asked: the request line's method and target, and its Proxy-Authorization. */
interface Seen {
  readonly method: string;
  readonly target: string;
  readonly proxyAuthorization: string | undefined;
}

/** A forward proxy on loopback: absolute-form requests are forwarded, CONNECT is tunnelled, all recorded. */
async function startForwardProxy(requireAuthorization?: string) {
  const seen: Seen[] = [];
  const sockets = new Set<Socket>();
  const allowed = (request: IncomingMessage) => {
    seen.push({
      method: request.method ?? '',
      target: request.url ?? '',
      proxyAuthorization: request.headers['proxy-authorization'],
    });
    return requireAuthorization === undefined || request.headers['proxy-authorization'] === requireAuthorization;
  };
  const server: Server = createServer((request, response) => {
    if (!allowed(request)) {
      response.writeHead(407, { 'proxy-authenticate': 'Basic realm="proxy"' }).end();
      return;
    }
    const headers = { ...request.headers };
    delete headers['proxy-authorization'];
    const upstream = httpRequest(request.url ?? '', { method: request.method, headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('connect', (request: IncomingMessage, client: Socket, head: Buffer) => {
    if (!allowed(request)) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n');
      return;
    }
    const { hostname, port } = new URL(`http://${request.url}`);
    const upstream = connect(Number(port), hostname.replace(/^\[|\]$/g, ''), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('HTTP_PROXY, HTTPS_PROXY and NO_PROXY', () => {
  let registry: { origin: string; host: string; close(): Promise<void> };
  let proxy: Awaited<ReturnType<typeof startForwardProxy>>;
  beforeAll(async () => {
    assertBuilt();
    const server = await createFakeRegistry().listen();
    registry = { origin: server.origin, host: new URL(server.origin).host, close: () => server.close() };
    proxy = await startForwardProxy(`Basic ${Buffer.from('me:p@ss').toString('base64')}`);
  });
  afterAll(async () => {
    await proxy?.close();
    await registry?.close();
  });
  const withCredentials = () => {
    const url = new URL(proxy.url);
    url.username = 'me';
    url.password = 'p%40ss';
    return url.toString().replace(/\/$/, '');
  };

  it('sends an http registry’s requests to HTTP_PROXY in absolute form, with the proxy credentials from the URL', async () => {
    proxy.seen.length = 0;
    const run = await runCli(['digest', `${registry.host}/library/golang:1.12.0`], { env: { HTTP_PROXY: withCredentials() } });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect(proxy.seen.length).toBeGreaterThan(0);
    for (const request of proxy.seen) {
      expect(request.target.startsWith(`${registry.origin}/v2/`)).toBe(true);
      expect(request.proxyAuthorization).toBe(`Basic ${Buffer.from('me:p@ss').toString('base64')}`);
    }
  });

  it('goes direct for NO_PROXY hosts and when the variables are empty', async () => {
    proxy.seen.length = 0;
    const exempt = await runCli(['digest', `${registry.host}/library/golang:1.12.0`], {
      env: { http_proxy: withCredentials(), NO_PROXY: 'example.test, 127.0.0.1' },
    });
    expect(exempt.code).toBe(0);
    const empty = await runCli(['digest', `${registry.host}/library/golang:1.12.0`], { env: { HTTP_PROXY: '', http_proxy: '' } });
    expect(empty.code).toBe(0);
    expect(proxy.seen).toEqual([]);
  });

  it('fails as a usage error naming the variable, without its password, when the proxy URL is not usable', async () => {
    const run = await runCli(['digest', `${registry.host}/library/golang:1.12.0`], {
      env: { HTTP_PROXY: 'socks5://me:hunter2@127.0.0.1:1080' },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('HTTP_PROXY');
    expect(run.stderr).not.toContain('hunter2');
  });

  it('reports the proxy’s 407 as an authentication failure', async () => {
    const run = await runCli(['digest', `${registry.host}/library/golang:1.12.0`], { env: { HTTP_PROXY: proxy.url } });
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('the proxy wants credentials');
  });

  describe('https targets', () => {
    const tls = createLoopbackTlsCredentials();

    it('tunnels them through HTTPS_PROXY with CONNECT, the credentials on the CONNECT only', async () => {
      const seenByTarget: (string | undefined)[] = [];
      const server = createHttpsServer(tls, (req, res) => {
        seenByTarget.push(req.headers['proxy-authorization']);
        res.end(`tls ${req.url}`);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const authority = `127.0.0.1:${(server.address() as { port: number }).port}`;
      proxy.seen.length = 0;
      const proxyRoutes = readProxyRoutes({ HTTPS_PROXY: withCredentials() });
      const transport = createHttpTransport({
        ...(proxyRoutes && { proxy: proxyRoutes }),
        // The certificate names 127.0.0.1: trusting it as the CA is enough, with the name check in place.
        tls: { ca: tls.cert },
      });
      try {
        for (const path of ['/v2/', '/v2/again']) {
          const response = await transport.send({ method: 'GET', url: `https://${authority}${path}`, headers: {} });
          expect(response.status).toBe(200);
          expect(await new Response(response.body).text()).toBe(`tls ${path}`);
        }
        // One kept-alive tunnel carried both requests.
        expect(proxy.seen).toEqual([
          { method: 'CONNECT', target: authority, proxyAuthorization: `Basic ${Buffer.from('me:p@ss').toString('base64')}` },
        ]);
        expect(seenByTarget).toEqual([undefined, undefined]);
      } finally {
        await transport.close?.();
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('rejects with the proxy named, and no credentials, when the proxy refuses the tunnel', async () => {
      const refused = readProxyRoutes({ HTTPS_PROXY: proxy.url.replace('http://', 'http://me:hunter2@') });
      const transport = createHttpTransport(refused === undefined ? {} : { proxy: refused });
      try {
        const error = await transport
          .send({ method: 'GET', url: 'https://127.0.0.1:9/v2/', headers: {} })
          .catch((e: unknown) => e);
        expect((error as Error).name).toBe('TransportError');
        expect((error as Error).message).toContain(`through the proxy ${proxy.url}`);
        expect((error as Error).message).toContain('407');
        expect((error as Error).message).not.toContain('hunter2');
      } finally {
        await transport.close?.();
      }
    });
  });
});
