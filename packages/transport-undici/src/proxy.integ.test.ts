import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, connect as netConnect, type Socket } from 'node:net';
import { TransportError } from '@regkit/core';
import type { TransportResponse } from '@regkit/core/spec';
import { createSelfSignedCertificate } from '@regkit/testing/token-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createUndiciTransport } from './undici-transport';

interface ProxiedRequest {
  readonly method: string;
  readonly target: string;
  readonly proxyAuthorization: string | undefined;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function listen(server: Server): Promise<string> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A loopback CONNECT proxy that records what it was asked and checks Proxy-Authorization. */
async function startProxy(requireAuthorization?: string): Promise<{ url: string; requests: ProxiedRequest[] }> {
  const requests: ProxiedRequest[] = [];
  const server = createServer((request, response) => {
    // undici tunnels everything; an absolute-form request here would be a bug.
    requests.push({ method: request.method ?? '', target: request.url ?? '', proxyAuthorization: undefined });
    response.writeHead(502);
    response.end();
  });
  const upstreams = new Set<Socket>();
  server.on('connect', (request: IncomingMessage, client: Socket) => {
    requests.push({
      method: 'CONNECT',
      target: request.url ?? '',
      proxyAuthorization: request.headers['proxy-authorization'],
    });
    if (requireAuthorization !== undefined && request.headers['proxy-authorization'] !== requireAuthorization) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const [host, port] = (request.url ?? '').split(':');
    const upstream = netConnect(Number(port), host ?? '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstreams.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  closers.push(async () => {
    for (const socket of upstreams) socket.destroy();
  });
  return { url: await listen(server), requests };
}

async function startTarget(): Promise<{ url: (path: string) => string; seen: IncomingMessage[] }> {
  const seen: IncomingMessage[] = [];
  const origin = await listen(
    createServer((request, response) => {
      seen.push(request);
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end(`target ${request.url}`);
    }),
  );
  return { url: (path) => `${origin}${path}`, seen };
}

async function text(response: TransportResponse): Promise<string> {
  return new Response(response.body).text();
}

describe('createUndiciTransport httpProxy (loopback CONNECT proxy)', () => {
  it('tunnels requests through the proxy with Basic credentials from the URL, on the CONNECT only', async () => {
    const proxy = await startProxy(`Basic ${Buffer.from('me:p@ss').toString('base64')}`);
    const target = await startTarget();
    const proxyUrl = new URL(proxy.url);
    proxyUrl.username = 'me';
    proxyUrl.password = 'p%40ss';
    const transport = createUndiciTransport({ httpProxy: proxyUrl.toString() });
    closers.push(async () => transport.close?.());

    for (const path of ['/v2/', '/v2/library/golang/tags/list?n=2']) {
      const response = await transport.send({
        method: 'GET',
        url: target.url(path),
        headers: { authorization: 'Bearer registry' },
      });
      expect(response.status).toBe(200);
      expect(await text(response)).toBe(`target ${path}`);
    }
    const authority = new URL(target.url('/')).host;
    // Each request went through a tunnel to the target (undici may open one tunnel per connection).
    expect(proxy.requests.length).toBeGreaterThan(0);
    expect(new Set(proxy.requests.map((r) => `${r.method} ${r.target}`))).toEqual(new Set([`CONNECT ${authority}`]));
    expect(target.seen.map((r) => r.headers['proxy-authorization'])).toEqual([undefined, undefined]);
    expect(target.seen.map((r) => r.headers.authorization)).toEqual(['Bearer registry', 'Bearer registry']);
  });

  it('sends a token as Proxy-Authorization as is', async () => {
    const proxy = await startProxy('Bearer proxy-token');
    const target = await startTarget();
    const transport = createUndiciTransport({ httpProxy: { uri: proxy.url, token: 'Bearer proxy-token' } });
    closers.push(async () => transport.close?.());
    expect(await text(await transport.send({ method: 'GET', url: target.url('/'), headers: {} }))).toBe('target /');
    expect(proxy.requests[0]?.proxyAuthorization).toBe('Bearer proxy-token');
  });

  it('checks an https registry’s certificate against its IP address inside the tunnel', async () => {
    const proxy = await startProxy();
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const validity = { notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 3_600_000) };
    const key = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    // Both trusted as CAs; only the second names 127.0.0.1 (the first is issued to "localhost").
    const certificates = {
      localhost: createSelfSignedCertificate({ publicKey, privateKey, commonName: 'localhost', ...validity }).pem,
      loopback: createSelfSignedCertificate({ publicKey, privateKey, commonName: 'x', ipAddresses: ['127.0.0.1'], ...validity })
        .pem,
    };
    const outcomes: Record<string, string> = {};
    for (const [name, cert] of Object.entries(certificates)) {
      const origin = (await listen(createHttpsServer({ key, cert }, (_, response) => response.end('over tls')))).replace(
        'http:',
        'https:',
      );
      const transport = createUndiciTransport({ httpProxy: proxy.url, tls: { ca: cert } });
      closers.push(async () => transport.close?.());
      outcomes[name] = await transport.send({ method: 'GET', url: `${origin}/v2/`, headers: {} }).then(
        (response) => text(response),
        (error: unknown) => (error as { cause?: { code?: string } }).cause?.code ?? String(error),
      );
    }
    expect(outcomes).toEqual({ localhost: 'ERR_TLS_CERT_ALTNAME_INVALID', loopback: 'over tls' });
    expect(proxy.requests.map((r) => r.method)).toEqual(['CONNECT', 'CONNECT']);
  });

  it('rejects with TransportError, without the proxy password, when the proxy refuses the tunnel', async () => {
    const proxy = await startProxy('Basic expected');
    const target = await startTarget();
    const proxyUrl = new URL(proxy.url);
    proxyUrl.username = 'user';
    proxyUrl.password = 'hunter2';
    const transport = createUndiciTransport({ httpProxy: proxyUrl.toString() });
    closers.push(async () => transport.close?.());
    const error = await transport.send({ method: 'GET', url: target.url('/'), headers: {} }).catch((e: unknown) => e);
    expect(TransportError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/407/);
    let chain = '';
    for (let current: unknown = error; current; current = (current as { cause?: unknown }).cause) {
      chain += `${String(current)} ${JSON.stringify(current)}\n`;
    }
    expect(chain).not.toMatch(/hunter2|dXNlcjpodW50ZXIy/);
    expect(target.seen).toHaveLength(0);
  });
});

describe('createUndiciTransport useEnvProxy', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('follows HTTP_PROXY, except for hosts in NO_PROXY', async () => {
    const proxy = await startProxy();
    const target = await startTarget();
    const targetPort = new URL(target.url('/')).port;
    for (const name of ['http_proxy', 'https_proxy', 'no_proxy', 'NO_PROXY']) delete process.env[name];
    process.env.HTTP_PROXY = proxy.url;

    const proxied = createUndiciTransport({ useEnvProxy: true });
    closers.push(async () => proxied.close?.());
    expect(await text(await proxied.send({ method: 'GET', url: target.url('/via'), headers: {} }))).toBe('target /via');
    expect(proxy.requests.map((r) => r.method)).toEqual(['CONNECT']);

    process.env.NO_PROXY = `127.0.0.1:${targetPort}`;
    const direct = createUndiciTransport({ useEnvProxy: true });
    closers.push(async () => direct.close?.());
    expect(await text(await direct.send({ method: 'GET', url: target.url('/direct'), headers: {} }))).toBe('target /direct');
    expect(proxy.requests, 'NO_PROXY host went around the proxy').toHaveLength(1);

    // Without useEnvProxy the environment is ignored.
    delete process.env.NO_PROXY;
    const ignoring = createUndiciTransport();
    closers.push(async () => ignoring.close?.());
    expect(await text(await ignoring.send({ method: 'GET', url: target.url('/plain'), headers: {} }))).toBe('target /plain');
    expect(proxy.requests).toHaveLength(1);
  });
});
