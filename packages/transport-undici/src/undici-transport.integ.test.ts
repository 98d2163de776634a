import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { TimeoutError } from '@regkit/core';
import { transportContract } from '@regkit/testing/contract';
import { Agent, type Dispatcher, interceptors } from 'undici';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createUndiciTransport } from './undici-transport';

transportContract({
  describe,
  it,
  expect,
  name: 'undici',
  createTransport: () => createUndiciTransport(),
  createTrustingTransport: (ca) => createUndiciTransport({ tls: { ca } }),
});

// A user's dispatcher that follows redirects on its own: the transport must
// still return 3xx untouched (it disables the interceptor per request).
const userDispatchers: Dispatcher[] = [];
afterAll(async () => {
  await Promise.all(userDispatchers.map((dispatcher) => dispatcher.close()));
});
transportContract({
  describe,
  it,
  expect,
  name: 'undici with a user dispatcher that has a redirect interceptor',
  createTransport: () => {
    const dispatcher = new Agent().compose(interceptors.redirect({ maxRedirections: 5 }));
    userDispatchers.push(dispatcher);
    return createUndiciTransport({ dispatcher });
  },
});

interface TestServer {
  readonly url: string;
  /** TCP connections accepted so far. */
  readonly connections: Socket[];
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestServer> {
  const connections: Socket[] = [];
  const server = createServer(handler);
  server.on('connection', (socket) => connections.push(socket));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections };
}

describe('createUndiciTransport timeouts', () => {
  // undici's own timers tick about once a second, so a 200 ms limit used to fire after about 1 s.
  it('reports a server that stalls its headers as TimeoutError("headers") after headersTimeoutMs, sub-second included', async () => {
    const server = await serve(() => undefined);
    const transport = createUndiciTransport({ headersTimeoutMs: 200 });
    const started = Date.now();
    const error = await transport.send({ method: 'GET', url: `${server.url}/stall`, headers: {} }).catch((e: unknown) => e);
    const waited = Date.now() - started;
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect((error as TimeoutError).phase).toBe('headers');
    expect((error as TimeoutError).timeoutMs).toBe(200);
    expect(waited).toBeGreaterThanOrEqual(190);
    expect(waited).toBeLessThan(800);
    // The message reports the time the timer measured, not only the limit.
    const { waitedMs } = error as TimeoutError;
    expect(waitedMs).toBeGreaterThanOrEqual(199);
    expect(waitedMs).toBeLessThanOrEqual(waited + 5);
    expect((error as Error).message).toBe(`headers timeout after ${waitedMs} ms (limit 200 ms)`);
    await transport.close();
  });

  it('errors a body that stalls with TimeoutError("body") after bodyTimeoutMs', async () => {
    const server = await serve((_, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('partial');
    });
    const transport = createUndiciTransport({ bodyTimeoutMs: 200 });
    const response = await transport.send({ method: 'GET', url: `${server.url}/stall-body`, headers: {} });
    const started = Date.now();
    const error = await new Response(response.body).arrayBuffer().catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(800);
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect((error as TimeoutError).phase).toBe('body');
    expect((error as TimeoutError).timeoutMs).toBe(200);
    expect((error as Error).message).toMatch(/^body timeout after (\d{3}) ms \(limit 200 ms\)$/);
    expect((error as TimeoutError).waitedMs).toBeGreaterThanOrEqual(199);
    await transport.close?.();
  });

  it('applies headersTimeoutMs per request on a user dispatcher too', async () => {
    const server = await serve(() => undefined);
    const agent = new Agent();
    const transport = createUndiciTransport({ dispatcher: agent, headersTimeoutMs: 150 });
    const error = await transport.send({ method: 'GET', url: `${server.url}/stall`, headers: {} }).catch((e: unknown) => e);
    expect((error as TimeoutError).phase).toBe('headers');
    await agent.close();
  });
});

describe('createUndiciTransport connection pool', () => {
  const ok = (_: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200);
    res.end('ok');
  };

  it('reuses one keep-alive connection for sequential requests', async () => {
    const server = await serve(ok);
    const transport = createUndiciTransport();
    for (let i = 0; i < 3; i++) {
      const response = await transport.send({ method: 'GET', url: `${server.url}/${i}`, headers: {} });
      expect(await new Response(response.body).text()).toBe('ok');
      // undici hands over the body's end slightly before it marks the socket idle;
      // a request sent in that instant opens a second connection.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(server.connections).toHaveLength(1);
    await transport.close?.();
  });

  it('keeps the connection alive across HEAD requests (digest resolution is all HEADs)', async () => {
    const server = await serve((_, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.end();
    });
    const transport = createUndiciTransport();
    for (let i = 0; i < 5; i++) {
      const response = await transport.send({ method: 'HEAD', url: `${server.url}/${i}`, headers: {} });
      expect(response.status).toBe(200);
      expect(response.body).toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(server.connections).toHaveLength(1);
    await transport.close?.();
  });

  it('opens no more than `connections` connections per origin', async () => {
    const server = await serve((_, res) => setTimeout(() => ok(_, res), 50));
    const transport = createUndiciTransport({ connections: 1 });
    const responses = await Promise.all(
      [1, 2, 3].map((i) => transport.send({ method: 'GET', url: `${server.url}/${i}`, headers: {} })),
    );
    await Promise.all(responses.map((response) => new Response(response.body).text()));
    expect(server.connections).toHaveLength(1);
    await transport.close?.();
  });

  it('close() closes the pool it created, and a later send opens a new one', async () => {
    const server = await serve(ok);
    const transport = createUndiciTransport();
    await new Response((await transport.send({ method: 'GET', url: `${server.url}/a`, headers: {} })).body).text();
    const [first] = server.connections;
    const closed = new Promise((resolve) => first?.once('close', resolve));
    await transport.close?.();
    await closed;
    expect(first?.destroyed).toBe(true);
    await new Response((await transport.send({ method: 'GET', url: `${server.url}/b`, headers: {} })).body).text();
    expect(server.connections).toHaveLength(2);
    await transport.close?.();
  });

  it('creates its pool lazily: close() before any request is a no-op', async () => {
    const transport = createUndiciTransport();
    await expect(transport.close?.()).resolves.toBeUndefined();
  });

  it('leaves a user dispatcher open after close()', async () => {
    const server = await serve(ok);
    const agent = new Agent();
    const transport = createUndiciTransport({ dispatcher: agent });
    await new Response((await transport.send({ method: 'GET', url: `${server.url}/a`, headers: {} })).body).text();
    await transport.close?.();
    expect(agent.closed).toBe(false);
    const response = await transport.send({ method: 'GET', url: `${server.url}/b`, headers: {} });
    expect(await new Response(response.body).text()).toBe('ok');
    await agent.close();
  });
});
