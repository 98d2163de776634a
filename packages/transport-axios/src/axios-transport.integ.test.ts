import { generateKeyPairSync } from 'node:crypto';
import { createServer, Agent as HttpAgent, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, Agent as HttpsAgent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { TimeoutError, TransportError } from '@regkit/core';
import type { Transport, TransportResponse } from '@regkit/core/spec';
import { transportContract } from '@regkit/testing/contract';
import { createLoopbackTlsCredentials, createSelfSignedCertificate } from '@regkit/testing/token-server';
import axios from 'axios';
import { afterEach, describe, expect, it } from 'vitest';
import { createAxiosTransport } from './axios-transport';
import { type LoopbackProxy, startLoopbackProxy } from './loopback-proxy.test-support';

transportContract({
  describe,
  it,
  expect,
  name: 'axios',
  createTransport: () => createAxiosTransport(),
  createTrustingTransport: (ca) => createAxiosTransport({ tls: { ca } }),
});

// A user's instance whose defaults fight the contract at every turn: the
// transport must override them per request and still pass.
transportContract({
  describe,
  it,
  expect,
  name: 'axios with a user instance whose defaults follow redirects, decompress and parse JSON',
  createTransport: () => {
    const instance = axios.create({
      maxRedirects: 5,
      decompress: true,
      responseType: 'json',
      maxContentLength: 1000,
      maxBodyLength: 1000,
      transformResponse: [(data: unknown) => ({ wrapped: data })],
      headers: { common: { Accept: 'application/json' } },
    });
    instance.interceptors.request.use((config) => config);
    return createAxiosTransport({ instance });
  },
});

const servers: Server[] = [];
const transports: Transport[] = [];
const proxies: LoopbackProxy[] = [];
afterEach(async () => {
  await Promise.all(transports.splice(0).map((transport) => transport.close?.()));
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

function track(transport: Transport): Transport {
  transports.push(transport);
  return transport;
}

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: (path: string) => `http://127.0.0.1:${port}${path}` };
}

async function text(response: TransportResponse): Promise<string> {
  return new Response(response.body).text();
}

describe('createAxiosTransport with a user instance', () => {
  it('runs the instance interceptors and uses its agent', async () => {
    const seen: IncomingMessage[] = [];
    const server = await serve((req, res) => {
      seen.push(req);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
    let connections = 0;
    const agent = new HttpAgent({ keepAlive: true });
    const createConnection = agent.createConnection.bind(agent);
    agent.createConnection = ((...args: Parameters<typeof createConnection>) => {
      connections++;
      return createConnection(...args);
    }) as typeof agent.createConnection;
    const instance = axios.create({ httpAgent: agent });
    const statuses: number[] = [];
    instance.interceptors.request.use((config) => {
      config.headers.set('x-traced-by', 'interceptor');
      return config;
    });
    instance.interceptors.response.use((response) => {
      statuses.push(response.status);
      return response;
    });
    const transport = track(createAxiosTransport({ instance }));

    const first = await transport.send({ method: 'GET', url: server.url('/a'), headers: {} });
    expect(await text(first)).toBe('ok');
    const second = await transport.send({ method: 'GET', url: server.url('/b'), headers: {} });
    expect(await text(second)).toBe('ok');

    expect(seen.map((req) => req.headers['x-traced-by'])).toEqual(['interceptor', 'interceptor']);
    expect(statuses).toEqual([200, 200]);
    expect(connections, 'connections opened by the user agent (keep-alive reuses one)').toBe(1);
    await transport.close?.();
    // The instance's agent is the user's: close() leaves it usable.
    const after = await instance.get(server.url('/c'), { responseType: 'text' });
    expect(after.data).toBe('ok');
    agent.destroy();
  });

  it("sends the request's headers without axios' JSON-flavoured Accept, a form Content-Type or its gzip Accept-Encoding", async () => {
    const seen: IncomingMessage[] = [];
    const server = await serve((req, res) => {
      seen.push(req);
      req.resume();
      req.on('end', () => res.end());
    });
    const transport = track(createAxiosTransport());
    await (await transport.send({ method: 'GET', url: server.url('/blob'), headers: {} })).body?.cancel();
    await (
      await transport.send({ method: 'PUT', url: server.url('/put'), headers: {}, body: new Uint8Array([1, 2]) })
    ).body?.cancel();
    await (
      await transport.send({
        method: 'PUT',
        url: server.url('/manifest'),
        headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json', accept: 'application/json' },
        body: new Uint8Array([123, 125]),
      })
    ).body?.cancel();
    expect(seen[0]?.headers.accept).toBeUndefined();
    // Base headers (accept-encoding: identity) are core's; the transport adds none of its own.
    expect(seen[0]?.headers['accept-encoding']).toBeUndefined();
    expect(seen[1]?.headers['content-type']).toBeUndefined();
    expect(seen[1]?.headers['content-length']).toBe('2');
    expect(seen[2]?.headers['content-type']).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(seen[2]?.headers.accept).toBe('application/json');
  });

  it('refuses something that is not an axios instance, and unknown options', () => {
    expect(() => createAxiosTransport({ instance: {} as never })).toThrow(/`instance` must be an axios instance/);
    expect(() => createAxiosTransport({ proxy: 'http://127.0.0.1:3128' } as never)).toThrow(/`httpProxy`/);
    expect(() => createAxiosTransport({ timeoutMs: -1 })).toThrow(/`timeoutMs` must be an integer >= 0/);
  });
});

describe('createAxiosTransport timeouts', () => {
  it('reports a server that stalls its headers as TimeoutError("headers") after timeoutMs', async () => {
    const server = await serve(() => undefined);
    const transport = track(createAxiosTransport({ timeoutMs: 200 }));
    const started = Date.now();
    const error = await transport.send({ method: 'GET', url: server.url('/stall'), headers: {} }).catch((e: unknown) => e);
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect((error as TimeoutError).phase).toBe('headers');
    expect((error as TimeoutError).timeoutMs).toBe(200);
    // The message says the time actually waited, measured by the timer that fired.
    expect((error as TimeoutError).waitedMs).toBeGreaterThanOrEqual(199);
    expect((error as Error).message).toMatch(/^headers timeout after \d+ ms \(limit 200 ms\)$/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('uses the instance timeout when timeoutMs is not given', async () => {
    const server = await serve(() => undefined);
    const transport = track(createAxiosTransport({ instance: axios.create({ timeout: 150 }) }));
    const error = await transport.send({ method: 'GET', url: server.url('/stall'), headers: {} }).catch((e: unknown) => e);
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect((error as TimeoutError).timeoutMs).toBe(150);
  });

  it('errors a body that goes silent with TimeoutError("body") after timeoutMs', async () => {
    const server = await serve((_, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('partial');
    });
    const transport = track(createAxiosTransport({ timeoutMs: 300 }));
    const response = await transport.send({ method: 'GET', url: server.url('/stall-body'), headers: {} });
    const started = Date.now();
    const error = await new Response(response.body).arrayBuffer().catch((e: unknown) => e);
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect((error as TimeoutError).phase).toBe('body');
    expect((error as TimeoutError).timeoutMs).toBe(300);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('keeps a slow but steady body alive: the body timeout is per chunk, not for the whole download', async () => {
    const server = await serve(async (_, res) => {
      res.writeHead(200);
      for (let i = 0; i < 6; i++) {
        res.write(`chunk${i};`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      res.end();
    });
    const transport = track(createAxiosTransport({ timeoutMs: 250 }));
    const response = await transport.send({ method: 'GET', url: server.url('/steady'), headers: {} });
    expect(await text(response)).toBe('chunk0;chunk1;chunk2;chunk3;chunk4;chunk5;');
  });
});

describe('createAxiosTransport errors', () => {
  it('never puts the request headers (credentials) in the error or its cause', async () => {
    const server = await serve((req) => req.socket.resetAndDestroy());
    const transport = track(createAxiosTransport());
    const error = await transport
      .send({ method: 'GET', url: server.url('/v2/?token=s3cr3t'), headers: { authorization: 'Bearer s3cr3t-token' } })
      .catch((e: unknown) => e);
    expect(TransportError.isInstance(error)).toBe(true);
    const dump = JSON.stringify(error, Object.getOwnPropertyNames(error as object)) + inspectChain(error);
    expect(dump).not.toMatch(/s3cr3t/);
    expect((error as Error).cause).not.toHaveProperty('config');
  });
});

function inspectChain(error: unknown): string {
  const parts: string[] = [];
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    parts.push(String(current), JSON.stringify(Object.entries(current as object)));
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join('\n');
}

describe('createAxiosTransport httpProxy', () => {
  it('sends http targets to the proxy in absolute form, with Basic credentials from the URL', async () => {
    const proxy = await startLoopbackProxy({ requireAuthorization: `Basic ${Buffer.from('me:p@ss').toString('base64')}` });
    proxies.push(proxy);
    const server = await serve((req, res) => {
      res.writeHead(200, { 'x-proxy-auth-seen': String(req.headers['proxy-authorization'] ?? 'none') });
      res.end('via proxy');
    });
    const proxyUrl = new URL(proxy.url);
    proxyUrl.username = 'me';
    proxyUrl.password = 'p%40ss';
    const transport = track(createAxiosTransport({ httpProxy: proxyUrl.toString() }));
    const response = await transport.send({ method: 'GET', url: server.url('/v2/?n=1'), headers: {} });
    expect(response.status).toBe(200);
    expect(await text(response)).toBe('via proxy');
    expect(proxy.requests.map((r) => `${r.method} ${r.target}`)).toEqual([`GET ${server.url('/v2/?n=1')}`]);
    // The proxy consumed its credentials; the registry never saw them.
    expect(response.headers['x-proxy-auth-seen']).toBe('none');
  });

  it('keeps each kept-alive proxy connection to one target origin', async () => {
    const proxy = await startLoopbackProxy();
    proxies.push(proxy);
    const a = await serve((_, res) => res.end('a'));
    const b = await serve((_, res) => res.end('b'));
    const transport = track(createAxiosTransport({ httpProxy: proxy.url }));
    const bodies: string[] = [];
    for (const target of [a, b, a, b, a])
      bodies.push(await text(await transport.send({ method: 'GET', url: target.url('/'), headers: {} })));
    expect(bodies).toEqual(['a', 'b', 'a', 'b', 'a']);
    const originsByConnection = new Map<number, Set<string>>();
    for (const request of proxy.requests) {
      const origins = originsByConnection.get(request.connection) ?? new Set();
      origins.add(new URL(request.target).origin);
      originsByConnection.set(request.connection, origins);
    }
    expect([...originsByConnection.values()].map((origins) => origins.size)).toEqual([1, 1]);
  });

  it('sends a token as Proxy-Authorization as is', async () => {
    const proxy = await startLoopbackProxy({ requireAuthorization: 'Bearer proxy-token' });
    proxies.push(proxy);
    const server = await serve((_, res) => res.end('ok'));
    const transport = track(createAxiosTransport({ httpProxy: { uri: proxy.url, token: 'Bearer proxy-token' } }));
    const response = await transport.send({ method: 'GET', url: server.url('/'), headers: {} });
    expect(await text(response)).toBe('ok');
    expect(proxy.requests[0]?.proxyAuthorization).toBe('Bearer proxy-token');
  });

  it('returns the proxy’s 407 for an http target as a response (core maps it), without credentials in view', async () => {
    const proxy = await startLoopbackProxy({ requireAuthorization: 'Basic right' });
    proxies.push(proxy);
    const server = await serve((_, res) => res.end('unreachable'));
    const transport = track(createAxiosTransport({ httpProxy: { uri: proxy.url, token: 'Basic wrong' } }));
    const response = await transport.send({ method: 'GET', url: server.url('/'), headers: {} });
    expect(response.status).toBe(407);
    await response.body?.cancel();
  });

  describe('https targets', () => {
    const tls = createLoopbackTlsCredentials();

    async function httpsServer(credentials: { readonly key: string; readonly cert: string } = tls) {
      const server = createHttpsServer(credentials);
      const seen: IncomingMessage[] = [];
      servers.push(server);
      server.on('request', (req: IncomingMessage, res: ServerResponse) => {
        seen.push(req);
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(`tls ${req.url}`);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return { seen, url: (path: string) => `https://127.0.0.1:${(server.address() as AddressInfo).port}${path}` };
    }

    it('tunnels through CONNECT with TLS end to end, credentials on the CONNECT only', async () => {
      const proxy = await startLoopbackProxy({ requireAuthorization: 'Bearer tunnel' });
      proxies.push(proxy);
      const target = await httpsServer();
      // The instance's https agent carries the TLS settings (here: trust the self-signed cert); the tunnel keeps them.
      const instance = axios.create({ httpsAgent: new HttpsAgent({ ca: tls.cert }) });
      const transport = track(createAxiosTransport({ instance, httpProxy: { uri: proxy.url, token: 'Bearer tunnel' } }));
      for (const path of ['/one', '/two']) {
        const response = await transport.send({
          method: 'GET',
          url: target.url(path),
          headers: { authorization: 'Bearer registry' },
        });
        expect(await text(response)).toBe(`tls ${path}`);
      }
      const authority = new URL(target.url('/')).host;
      // One CONNECT: the tunnelled TLS connection is kept alive and reused.
      expect(proxy.requests.map((r) => `${r.method} ${r.target}`)).toEqual([`CONNECT ${authority}`]);
      // The proxy never saw the registry credentials; the registry never saw the proxy's.
      expect(proxy.requests[0]?.authorization).toBeUndefined();
      expect(target.seen.map((req) => req.headers['proxy-authorization'])).toEqual([undefined, undefined]);
      expect(target.seen.map((req) => req.headers.authorization)).toEqual(['Bearer registry', 'Bearer registry']);
    });

    it('checks the certificate against the registry’s IP address inside the tunnel, not against "localhost"', async () => {
      const proxy = await startLoopbackProxy();
      proxies.push(proxy);
      // Trusted as a CA, but issued to "localhost" (its common name) and naming no IP address.
      const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const localhost = createSelfSignedCertificate({
        publicKey,
        privateKey,
        commonName: 'localhost',
        notBefore: new Date(Date.now() - 60_000),
        notAfter: new Date(Date.now() + 3_600_000),
      });
      const target = await httpsServer({
        key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
        cert: localhost.pem,
      });
      const instance = axios.create({ httpsAgent: new HttpsAgent({ ca: localhost.pem }) });
      const transport = track(createAxiosTransport({ instance, httpProxy: proxy.url }));
      const error = await transport.send({ method: 'GET', url: target.url('/v2/'), headers: {} }).catch((e: unknown) => e);
      expect(TransportError.isInstance(error)).toBe(true);
      expect((error as Error).message).toMatch(/TLS certificate verification failed: Hostname\/IP does not match/);
      expect((error as { cause?: { code?: string } }).cause?.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
      expect(target.seen).toHaveLength(0);
    });

    it('rejects with TransportError naming the proxy (without its password) when CONNECT is refused', async () => {
      const proxy = await startLoopbackProxy({ requireAuthorization: 'Basic nope' });
      proxies.push(proxy);
      const target = await httpsServer();
      const proxyUrl = new URL(proxy.url);
      proxyUrl.username = 'user';
      proxyUrl.password = 'hunter2';
      const transport = track(createAxiosTransport({ httpProxy: proxyUrl.toString() }));
      const error = await transport.send({ method: 'GET', url: target.url('/'), headers: {} }).catch((e: unknown) => e);
      expect(TransportError.isInstance(error)).toBe(true);
      expect((error as Error).message).toMatch(/refused CONNECT .* \(HTTP 407\)/);
      expect((error as Error).message).toContain(proxy.url);
      expect(inspectChain(error)).not.toMatch(/hunter2|dXNlcjpodW50ZXIy/);
      expect(target.seen).toHaveLength(0);
    });
  });

  it('ignores HTTP_PROXY with its own instance, and leaves a user instance to axios’ rules', async () => {
    const proxy = await startLoopbackProxy();
    proxies.push(proxy);
    const server = await serve((_, res) => res.end('ok'));
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, http_proxy: process.env.http_proxy, NO_PROXY: process.env.NO_PROXY };
    process.env.HTTP_PROXY = proxy.url;
    delete process.env.http_proxy;
    delete process.env.NO_PROXY;
    try {
      const own = track(createAxiosTransport());
      expect(await text(await own.send({ method: 'GET', url: server.url('/direct'), headers: {} }))).toBe('ok');
      expect(proxy.requests).toHaveLength(0);
      const users = track(createAxiosTransport({ instance: axios.create() }));
      expect(await text(await users.send({ method: 'GET', url: server.url('/via-env'), headers: {} }))).toBe('ok');
      expect(proxy.requests.map((r) => r.target)).toEqual([server.url('/via-env')]);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('refuses proxy URLs it cannot use, without echoing them', () => {
    expect(() => createAxiosTransport({ httpProxy: 'socks5://u:secret@127.0.0.1:1080' })).toThrow(/must be an http: URL/);
    expect(() => createAxiosTransport({ httpProxy: 'not a url with secret' })).toThrow(/not an absolute URL/);
    expect(() => createAxiosTransport({ httpProxy: { uri: 'http://u:p@127.0.0.1:3128', token: 'Basic x' } })).toThrow(/not both/);
    let thrown: unknown;
    try {
      createAxiosTransport({ httpProxy: 'https://u:secret@127.0.0.1:3128' });
    } catch (error) {
      thrown = error;
    }
    expect((thrown as Error).message).toMatch(/must be an http: URL/);
    expect((thrown as Error).message).not.toContain('secret');
  });
});
