/**
 * Core's HTTP policy (redirects, retries, resumes, cancellation) through a
 * real `Registry`, once per transport, against loopback servers that behave
 * like the awkward parts of real registries and blob stores. The policy lives
 * in core; these tests prove every transport gives core what it needs to
 * apply it (3xx returned, errors typed, aborts honoured, bodies streamed).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, Agent as HttpsAgent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createBasicAuthenticator } from '@regkit/auth-basic';
import { type Authenticator, createFetchTransport, RedirectError, Registry, type Transport, TransportError } from '@regkit/core';
import { createLoopbackTlsCredentials } from '@regkit/testing/token-server';
import { createAxiosTransport } from '@regkit/transport-axios';
import { createUndiciTransport } from '@regkit/transport-undici';
import axios from 'axios';
import { Agent as UndiciAgent, fetch as undiciFetch } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';

type TransportKind = 'fetch' | 'undici' | 'axios';
const KINDS: readonly TransportKind[] = ['fetch', 'undici', 'axios'];

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
}

interface TestServer {
  readonly origin: string;
  readonly host: string;
  readonly requests: Seen[];
}

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(
  handler: (req: IncomingMessage, res: ServerResponse, index: number) => void | Promise<void>,
  options: { readonly https?: boolean } = {},
): Promise<TestServer> {
  const server: Server = options.https ? createHttpsServer(tls) : createServer();
  const requests: Seen[] = [];
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    Promise.resolve(handler(req, res, requests.length)).catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as AddressInfo;
  const scheme = options.https ? 'https' : 'http';
  return { origin: `${scheme}://127.0.0.1:${port}`, host: `127.0.0.1:${port}`, requests };
}

/** A self-signed certificate for 127.0.0.1 (common name and subjectAltName); the clients below trust it as their CA. */
const tls = createLoopbackTlsCredentials();

/** A transport of `kind`; `trustTestCertificate` makes it accept the self-signed loopback certificate. */
function makeTransport(kind: TransportKind, trustTestCertificate = false): Transport {
  let transport: Transport;
  if (kind === 'fetch') {
    if (trustTestCertificate) {
      // The platform fetch takes no TLS options; undici's fetch (the same implementation) takes a dispatcher.
      const dispatcher = new UndiciAgent({ connect: { ca: tls.cert } });
      cleanups.push(() => dispatcher.close());
      transport = createFetchTransport({
        fetch: ((input: string, init: RequestInit) =>
          undiciFetch(input, { ...init, dispatcher } as never)) as unknown as typeof fetch,
      });
    } else {
      transport = createFetchTransport();
    }
  } else if (kind === 'undici') {
    if (trustTestCertificate) {
      const dispatcher = new UndiciAgent({ connect: { ca: tls.cert } });
      cleanups.push(() => dispatcher.close());
      transport = createUndiciTransport({ dispatcher });
    } else {
      transport = createUndiciTransport();
    }
  } else {
    const instance = trustTestCertificate ? axios.create({ httpsAgent: new HttpsAgent({ ca: tls.cert }) }) : undefined;
    transport = createAxiosTransport(instance ? { instance } : {});
  }
  cleanups.push(() => transport.close?.());
  return transport;
}

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const REPO = 'policy/app';
const BLOB = new Uint8Array(randomBytes(256 * 1024));
const BLOB_DIGEST = sha256(BLOB);
const MANIFEST = new TextEncoder().encode(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: BLOB_DIGEST, size: BLOB.length },
    layers: [],
  }),
);
const MANIFEST_DIGEST = sha256(MANIFEST);

const staticBearer: Authenticator = {
  specificationVersion: 'v1',
  name: 'static-bearer',
  handleRequest: async () => ({ authorization: 'Bearer static-registry-token' }),
  handleResponse: async () => ({ resend: false }),
};

describe.each(KINDS)('HTTP policy through Registry with the %s transport', (kind) => {
  for (const [name, authenticator, expected] of [
    ['Basic', createBasicAuthenticator({ username: 'ci', password: 'secret' }), `Basic ${btoa('ci:secret')}`],
    ['static bearer', staticBearer, 'Bearer static-registry-token'],
  ] as const) {
    it(`follows a 307 to blob storage on another origin without the ${name} credentials; the digest verifies`, async () => {
      const storage = await serve((req, res) => {
        // What S3 does with a pre-signed URL and an Authorization header: refuse.
        if (req.headers.authorization !== undefined) {
          res.writeHead(400, { 'content-type': 'application/xml' });
          res.end('<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed</Message></Error>');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': BLOB.length });
        res.end(BLOB);
      });
      const registryServer = await serve((req, res) => {
        if (req.headers.authorization !== expected) {
          res.writeHead(401, { 'www-authenticate': 'Basic realm="policy"', 'content-type': 'application/json' });
          res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
          return;
        }
        res.writeHead(307, { location: `${storage.origin}/blobs/${BLOB_DIGEST}?X-Amz-Signature=s1gn3d&X-Amz-Expires=60` });
        res.end();
      });
      const registry = new Registry({ domain: registryServer.host, transport: makeTransport(kind), authenticator });
      const blobs = registry.repository(REPO).blobs();

      const download = await blobs.get(BLOB_DIGEST);
      expect(download.size).toBe(BLOB.length);
      expect(sha256(await readAll(download.body))).toBe(BLOB_DIGEST);
      expect(sha256(await blobs.getBytes(BLOB_DIGEST))).toBe(BLOB_DIGEST);

      expect(registryServer.requests.map((r) => r.headers.authorization)).toEqual([expected, expected]);
      expect(storage.requests).toHaveLength(2);
      expect(storage.requests.map((r) => r.headers.authorization)).toEqual([undefined, undefined]);
      expect(storage.requests[0]?.url).toBe(`/blobs/${BLOB_DIGEST}?X-Amz-Signature=s1gn3d&X-Amz-Expires=60`);
    });
  }

  it('repeats a GET whose connection was reset mid-body', async () => {
    const server = await serve((req, res, index) => {
      res.writeHead(200, {
        'content-type': 'application/vnd.oci.image.manifest.v1+json',
        'content-length': MANIFEST.length,
        'docker-content-digest': MANIFEST_DIGEST,
      });
      if (index === 1) {
        res.write(MANIFEST.subarray(0, 40), () => setTimeout(() => req.socket.resetAndDestroy(), 30));
        return;
      }
      res.end(MANIFEST);
    });
    const registry = new Registry({ domain: server.host, transport: makeTransport(kind) });
    const manifest = await registry.repository(REPO).manifests().get('v1');
    expect(manifest.kind).toBe('image');
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      `GET /v2/${REPO}/manifests/v1`,
      `GET /v2/${REPO}/manifests/v1`,
    ]);
  });

  it('resumes a blob download with Range after a reset, from the byte it stopped at', async () => {
    const clientGotBytes = deferred();
    const server = await serve(async (req, res, index) => {
      const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      if (index === 1) {
        res.writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-length': BLOB.length,
          'accept-ranges': 'bytes',
        });
        res.write(BLOB.subarray(0, 64 * 1024));
        // Reset only once the client holds some bytes, so the resume point is past 0.
        await clientGotBytes.promise;
        req.socket.resetAndDestroy();
        return;
      }
      const start = Number(range?.[1] ?? Number.NaN);
      if (!range || start >= BLOB.length) {
        res.writeHead(416);
        res.end();
        return;
      }
      res.writeHead(206, {
        'content-type': 'application/octet-stream',
        'content-length': BLOB.length - start,
        'content-range': `bytes ${start}-${BLOB.length - 1}/${BLOB.length}`,
        'accept-ranges': 'bytes',
      });
      res.end(BLOB.subarray(start));
    });
    const registry = new Registry({ domain: server.host, transport: makeTransport(kind) });
    const download = await registry.repository(REPO).blobs().get(BLOB_DIGEST);
    const reader = download.body.getReader();
    const first = await reader.read();
    const parts: Uint8Array[] = [first.value ?? new Uint8Array(0)];
    clientGotBytes.resolve();
    for (let next = await reader.read(); !next.done; next = await reader.read()) parts.push(next.value);
    const bytes = new Uint8Array(Buffer.concat(parts));

    expect(sha256(bytes)).toBe(BLOB_DIGEST);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]?.headers.range).toBeUndefined();
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(server.requests[1]?.headers.range ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(64 * 1024);
  });

  it('stops an aborted tags().getAll() over endless Link pages within the request in flight', async () => {
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const server = await serve(async (_, res, index) => {
      if (index === 3) {
        controller.abort(reason);
        // Answer anyway, a little later: a transport that ignored the abort would take it and go on.
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      if (res.destroyed) return;
      res.writeHead(200, {
        'content-type': 'application/json',
        link: `</v2/${REPO}/tags/list?n=1&last=t${index}>; rel="next"`,
      });
      res.end(JSON.stringify({ name: REPO, tags: [`t${index}`] }));
    });
    const registry = new Registry({ domain: server.host, transport: makeTransport(kind) });
    const outcome = await registry
      .repository(REPO)
      .tags()
      .getAll({ pageSize: 1, signal: controller.signal })
      .then(
        () => 'resolved',
        (error: unknown) => error,
      );
    expect(outcome).toBe(reason);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server.requests).toHaveLength(3);
  });

  it('refuses a redirect from https to http and sends nothing to the http target', async () => {
    const plain = await serve((_, res) => {
      res.writeHead(200, { 'content-length': BLOB.length });
      res.end(BLOB);
    });
    const secure = await serve(
      (_, res) => {
        res.writeHead(307, { location: `${plain.origin}/blobs/${BLOB_DIGEST}` });
        res.end();
      },
      { https: true },
    );
    expect(secure.origin).toMatch(/^https:/);
    const registry = new Registry({ domain: secure.host, protocol: 'https', transport: makeTransport(kind, true) });
    const error = await registry
      .repository(REPO)
      .blobs()
      .get(BLOB_DIGEST)
      .catch((e: unknown) => e);
    expect(RedirectError.isInstance(error), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/from https to http/);
    expect(secure.requests).toHaveLength(1);
    expect(plain.requests).toHaveLength(0);
  });

  it('reports a refused connection as TransportError after its retries', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const host = `127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const registry = new Registry({ domain: host, transport: makeTransport(kind), retry: { initialDelayMs: 10 } });
    const error = await registry.ping().catch((e: unknown) => e);
    expect(TransportError.isInstance(error), String(error)).toBe(true);
  });
});

// The three transports wait out their 2 s in parallel, to keep the suite short.
it('waits out a 429 with Retry-After: 2 once, then reads, with every transport', async () => {
  await Promise.all(
    KINDS.map(async (kind) => {
      const server = await serve((_, res, index) => {
        if (index === 1) {
          res.writeHead(429, { 'retry-after': '2', 'content-type': 'application/json' });
          res.end('{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ name: REPO, tags: ['v1', 'v2'] }));
      });
      const registry = new Registry({ domain: server.host, transport: makeTransport(kind) });
      const started = performance.now();
      const tags = await registry.repository(REPO).tags().getAll();
      const elapsed = performance.now() - started;
      expect(tags, kind).toEqual(['v1', 'v2']);
      expect(server.requests, kind).toHaveLength(2);
      expect(elapsed, kind).toBeGreaterThanOrEqual(1_900);
      expect(elapsed, kind).toBeLessThan(6_000);
    }),
  );
});
