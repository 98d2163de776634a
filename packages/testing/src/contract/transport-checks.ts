import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { memoryUsage } from 'node:process';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { TimeoutError, TransportError } from '@regkit/core';
import type { Transport, TransportResponse } from '@regkit/core/spec';
import { type ContractCheck, type ContractExpect, withDeadline } from './contract-api';
import type { ServerScope } from './loopback';
import { loopbackCertificate } from './loopback-certificate';

/** What a transport declares it can do; checks that need a missing capability are skipped. */
export interface TransportCapabilities {
  /** Uploads a `ReadableStream` body as it is produced, without reading it all first. Default `true`. */
  readonly streamingUpload?: boolean;
  /**
   * Returns a body sent with `Content-Encoding` as the raw bytes received.
   * Default `true`. `fetch` decompresses on its own, so its transport sets `false`.
   */
  readonly rawContentEncoding?: boolean;
  /** Downloads a large body (see `largeBodyBytes`) in bounded memory. Default `true`. */
  readonly largeBodies?: boolean;
  /**
   * Uploads a large stream in bounded memory when the transport declares
   * `streamsRequestBodies`. Default `true`; `false` only where the check
   * would measure something else than the transport (a stand-in network).
   */
  readonly largeUploads?: boolean;
}

/** What every transport check receives. */
export interface TransportCheckContext {
  /** A fresh transport from the factory; closed after the check. */
  readonly transport: Transport;
  /** The injected (or built-in) `expect`. */
  readonly expect: ContractExpect;
  /** Starts loopback servers that are closed after the check. */
  readonly servers: ServerScope;
  /** Size of the large download, in bytes. */
  readonly largeBodyBytes: number;
  /** A transport that trusts the given CA (PEM), closed after the check; checks that need it are skipped without it. */
  readonly createTrustingTransport?: ((caPem: string) => Transport | Promise<Transport>) | undefined;
}

/** One check of the transport contract. */
export interface TransportCheck extends ContractCheck<TransportCheckContext> {
  /** The capability this check needs, if any. */
  readonly requires?: keyof TransportCapabilities;
  /** True for checks that need `createTrustingTransport`. */
  readonly needsTrust?: boolean;
}

const KiB = 1024;
const MiB = 1024 * KiB;
const encoder = new TextEncoder();

const STATUSES = [200, 201, 202, 206, 400, 401, 403, 404, 405, 409, 416, 429, 500, 502, 503] as const;
const REDIRECTS = [301, 302, 303, 307, 308] as const;

/**
 * The checks of the transport contract, in the order they run. Each starts its
 * own loopback servers, so any subset can run alone (see `only`).
 */
export const transportChecks: readonly TransportCheck[] = [
  // ── status codes ──────────────────────────────────────────────────────────
  {
    id: 'get-200',
    group: 'status codes',
    title: 'GET resolves 200 with the body, the request URL, and path and query sent verbatim',
    timeoutMs: 10_000,
    async run({ transport, expect, servers }) {
      const server = await servers.serve((_, res) => {
        res.writeHead(200, { 'content-type': 'text/plain', 'docker-distribution-api-version': 'registry/2.0' });
        res.end('hello');
      });
      const path = '/v2/library/alpine/tags/list?n=2&last=a%2Fb';
      const response = await transport.send({ method: 'GET', url: server.url(path), headers: {} });
      expect(response.status).toBe(200);
      expect(response.url, 'response.url').toBe(server.url(path));
      expect(response.headers['content-type']).toBe('text/plain');
      expect(response.headers['docker-distribution-api-version']).toBe('registry/2.0');
      expect(await readText(response), 'body').toBe('hello');
      expect(server.requests.length, 'requests received').toBe(1);
      expect(server.requests[0]?.method).toBe('GET');
      expect(server.requests[0]?.url, 'path and query as received').toBe(path);
    },
  },
  {
    id: 'every-status-resolves',
    group: 'status codes',
    title: `resolves (never rejects) for ${STATUSES.join(', ')} and 204, with each body readable`,
    timeoutMs: 15_000,
    async run({ transport, expect, servers }) {
      const server = await servers.serve((req, res) => {
        const status = Number(req.url?.split('/').pop());
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(status === 204 ? undefined : `status ${status}`);
      });
      for (const status of STATUSES) {
        const response = await resolvedOrExplain(
          transport.send({ method: 'GET', url: server.url(`/status/${status}`), headers: {} }),
          `GET answered with HTTP ${status}`,
        );
        expect(response.status, `HTTP ${status}`).toBe(status);
        expect(await readText(response), `body of HTTP ${status}`).toBe(`status ${status}`);
      }
      const noContent = await resolvedOrExplain(
        transport.send({ method: 'DELETE', url: server.url('/status/204'), headers: {} }),
        'DELETE answered with HTTP 204',
      );
      expect(noContent.status).toBe(204);
      expect(noContent.body, 'body of a 204').toBeNull();
    },
  },
  {
    id: 'redirects-not-followed',
    group: 'status codes',
    title: `returns ${REDIRECTS.join(', ')} as they are, Location intact, without following them`,
    timeoutMs: 15_000,
    async run({ transport, expect, servers }) {
      const elsewhere = await servers.serve((_, res) => {
        res.writeHead(200);
        res.end('followed');
      });
      const absolute = elsewhere.url('/blobs/sha256:abc?X-Amz-Signature=s1g&X-Amz-Expires=60');
      const relative = '/v2/library/alpine/blobs/uploads/next?_state=xyz';
      const origin = await servers.serve((req, res) => {
        const status = Number(req.url?.split('/')[2]);
        const location = req.url?.endsWith('/relative') ? relative : absolute;
        res.writeHead(status, { location, 'content-type': 'text/plain' });
        res.end(`moved ${status}`);
      });
      let sends = 0;
      const expectRedirect = async (method: 'GET' | 'HEAD' | 'PUT', status: number, path: string, location: string) => {
        sends++;
        const url = origin.url(`/redirect/${status}/${path}`);
        const request =
          method === 'PUT' ? { method, url, headers: {}, body: encoder.encode('upload bytes') } : { method, url, headers: {} };
        const response = await resolvedOrExplain(transport.send(request), `${method} answered with HTTP ${status}`);
        expect(response.status, `${method} → HTTP ${status}`).toBe(status);
        expect(response.headers.location, `Location of HTTP ${status}`).toBe(location);
        expect(response.url, `url of HTTP ${status}`).toBe(url);
        await discard(response);
      };
      for (const status of REDIRECTS) await expectRedirect('GET', status, 'absolute', absolute);
      await expectRedirect('GET', 307, 'relative', relative);
      await expectRedirect('HEAD', 302, 'absolute', absolute);
      await expectRedirect('PUT', 307, 'absolute', absolute);
      await expectRedirect('PUT', 308, 'relative', relative);
      expect(elsewhere.requests.length, 'requests that reached the redirect target').toBe(0);
      expect(origin.requests.length, 'requests that reached the redirecting server').toBe(sends);
    },
  },
  {
    id: 'informational-skipped',
    group: 'status codes',
    title: 'skips 1xx interim responses (103 Early Hints) and returns the final status',
    timeoutMs: 10_000,
    async run({ transport, expect, servers }) {
      const server = await servers.serve((_, res) => {
        res.writeEarlyHints({ link: '</v2/>; rel=preload' }, () => {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('final');
        });
      });
      const response = await transport.send({ method: 'GET', url: server.url('/hints'), headers: {} });
      expect(response.status).toBe(200);
      expect(await readText(response)).toBe('final');
    },
  },

  // ── headers ───────────────────────────────────────────────────────────────
  {
    id: 'response-headers',
    group: 'headers',
    title: 'lower-cases response header names and joins repeated headers with ", "',
    timeoutMs: 10_000,
    async run({ transport, expect, servers }) {
      const server = await servers.serve((_, res) => {
        res.setHeader('WWW-Authenticate', ['Bearer realm="http://127.0.0.1/token",service="registry"', 'Basic realm="registry"']);
        res.setHeader('X-Regkit-Multi', ['a', 'b', 'c']);
        res.setHeader('X-MiXeD-CaSe', 'kept');
        res.setHeader('Docker-Content-Digest', 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
        res.writeHead(401);
        res.end();
      });
      const response = await transport.send({ method: 'GET', url: server.url('/v2/'), headers: {} });
      await discard(response);
      expect(response.headers['www-authenticate'], 'two WWW-Authenticate headers').toBe(
        'Bearer realm="http://127.0.0.1/token",service="registry", Basic realm="registry"',
      );
      expect(response.headers['x-regkit-multi'], 'three X-Regkit-Multi headers').toBe('a, b, c');
      expect(response.headers['x-mixed-case']).toBe('kept');
      expect(response.headers['docker-content-digest']).toMatch(/^sha256:e3b0/);
      const upper = Object.keys(response.headers).filter((name) => name !== name.toLowerCase());
      expect(upper, 'header names with upper-case letters').toEqual([]);
    },
  },
  {
    id: 'request-headers',
    group: 'headers',
    title: 'sends the request headers as given',
    timeoutMs: 10_000,
    async run({ transport, expect, servers }) {
      const server = await servers.serve((_, res) => {
        res.writeHead(200);
        res.end();
      });
      const accept = 'application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json';
      const response = await transport.send({
        method: 'GET',
        url: server.url('/v2/library/alpine/manifests/latest'),
        headers: { accept, authorization: 'Bearer abc.def.ghi', 'user-agent': 'regkit-contract/1', 'x-regkit-probe': 'one, two' },
      });
      await discard(response);
      const seen = server.requests[0]?.headers ?? {};
      expect(seen.accept).toBe(accept);
      expect(seen.authorization).toBe('Bearer abc.def.ghi');
      expect(seen['user-agent']).toBe('regkit-contract/1');
      expect(seen['x-regkit-probe']).toBe('one, two');
    },
  },
  {
    id: 'no-compression-unless-asked',
    group: 'headers',
    title: 'asks for no compression unless the caller sets accept-encoding, and sends the caller’s value as is',
    timeoutMs: 10_000,
    async run({ transport, expect, servers }) {
      const server = await servers.serve((_, res) => {
        res.writeHead(200);
        res.end();
      });
      await discard(await transport.send({ method: 'GET', url: server.url('/plain'), headers: {} }));
      const offered = server.requests[0]?.headers['accept-encoding'];
      if (offered !== undefined) expect(offered, 'accept-encoding the caller did not set').toBe('identity');
      await discard(await transport.send({ method: 'GET', url: server.url('/gzip'), headers: { 'accept-encoding': 'gzip' } }));
      expect(server.requests[1]?.headers['accept-encoding']).toBe('gzip');
    },
  },
  {
    id: 'content-encoding-raw',
    group: 'headers',
    requires: 'rawContentEncoding',
    title: 'returns a Content-Encoding: gzip body as the raw bytes received, not decompressed',
    timeoutMs: 10_000,
    async run({ transport, expect, servers }) {
      const compressed = gzipSync(encoder.encode('{"schemaVersion":2}'.repeat(50)));
      const server = await servers.serve((_, res) => {
        res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': compressed.length });
        res.end(compressed);
      });
      const response = await transport.send({ method: 'GET', url: server.url('/gz'), headers: { 'accept-encoding': 'gzip' } });
      expect(response.headers['content-encoding']).toBe('gzip');
      expect(sha256(await readBytes(response)), 'digest of the body').toBe(sha256(compressed));
    },
  },

  // ── bodies ────────────────────────────────────────────────────────────────
  {
    id: 'head-no-body',
    group: 'bodies',
    title: 'HEAD with Content-Length gives headers and a null body, and the connection stays usable',
    timeoutMs: 10_000,
    async run({ transport, expect, servers }) {
      const server = await servers.serve((req, res) => {
        if (req.method === 'HEAD') {
          const found = req.url === '/blob';
          res.writeHead(found ? 200 : 404, { 'content-length': found ? '123456' : '96', 'docker-content-digest': 'sha256:00' });
          res.end();
        } else {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('after head');
        }
      });
      const head = await transport.send({ method: 'HEAD', url: server.url('/blob'), headers: {} });
      expect(head.status).toBe(200);
      expect(head.headers['content-length']).toBe('123456');
      expect(head.headers['docker-content-digest']).toBe('sha256:00');
      expect(head.body, 'body of a HEAD response').toBeNull();
      const missing = await transport.send({ method: 'HEAD', url: server.url('/missing'), headers: {} });
      expect(missing.status).toBe(404);
      expect(missing.body, 'body of a HEAD 404').toBeNull();
      const after = await withDeadline(
        transport.send({ method: 'GET', url: server.url('/after'), headers: {} }),
        5_000,
        'a GET after two HEADs did not get its response',
      );
      expect(await readText(after)).toBe('after head');
    },
  },
  {
    id: 'empty-body',
    group: 'bodies',
    title: 'a 200 with Content-Length: 0 gives a null or empty body',
    timeoutMs: 10_000,
    async run({ transport, expect, servers }) {
      const server = await servers.serve((_, res) => {
        res.writeHead(200, { 'content-length': '0' });
        res.end();
      });
      const response = await transport.send({ method: 'GET', url: server.url('/empty'), headers: {} });
      expect(response.status).toBe(200);
      if (response.body !== null) expect((await readBytes(response)).length, 'body length').toBe(0);
    },
  },
  {
    id: 'upload-bytes',
    group: 'bodies',
    title: 'uploads Uint8Array bodies exactly (views included) with Content-Length, and an empty body as Content-Length: 0',
    timeoutMs: 15_000,
    async run({ transport, expect, servers }) {
      const server = await servers.serve(echoDigest);
      const bytes = new Uint8Array(randomBytes(MiB + 7));
      const put = await transport.send({ method: 'PUT', url: server.url('/upload'), headers: {}, body: bytes });
      expect(put.status).toBe(201);
      expect(await readJson(put), 'what the server received').toEqual({ bytes: bytes.length, sha256: sha256(bytes) });
      expect(server.requests[0]?.headers['content-length']).toBe(String(bytes.length));

      // A view into a larger buffer: only its own bytes may go out.
      const view = bytes.subarray(1000, 5000);
      const patch = await transport.send({ method: 'PATCH', url: server.url('/view'), headers: {}, body: view });
      expect(await readJson(patch), 'what the server received for a subarray').toEqual({ bytes: 4000, sha256: sha256(view) });

      const post = await transport.send({ method: 'POST', url: server.url('/empty'), headers: {}, body: new Uint8Array(0) });
      expect(await readJson(post)).toEqual({ bytes: 0, sha256: sha256(new Uint8Array(0)) });
      expect(server.requests[2]?.headers['content-length'], 'content-length of an empty POST').toBe('0');
    },
  },
  {
    id: 'upload-stream',
    group: 'bodies',
    requires: 'streamingUpload',
    title: 'uploads a ReadableStream body while it is produced (the server sees bytes before the stream ends)',
    timeoutMs: 30_000,
    async run({ transport, expect, servers }) {
      const firstBytes = deferred();
      const server = await servers.serve((req, res) => {
        req.once('data', () => firstBytes.resolve());
        return echoDigest(req, res);
      });
      const total = 8 * MiB;
      const chunk = 64 * KiB;
      const clientHash = createHash('sha256');
      let produced = 0;
      const body = new ReadableStream<Uint8Array>(
        {
          async pull(controller) {
            if (produced === MiB) {
              // A transport that reads the whole stream before sending never gets past this point.
              const sawBytes = await Promise.race([firstBytes.promise.then(() => true), sleep(5_000).then(() => false)]);
              if (!sawBytes) {
                controller.error(
                  new Error('the server saw no byte of a stream upload after 1 MiB was produced: the transport buffers uploads'),
                );
                return;
              }
            }
            if (produced >= total) {
              controller.close();
              return;
            }
            const bytes = patternChunk(produced / chunk, chunk);
            clientHash.update(bytes);
            produced += bytes.length;
            controller.enqueue(bytes);
          },
        },
        { highWaterMark: 0 },
      );
      const response = await transport.send({
        method: 'PUT',
        url: server.url('/stream'),
        headers: { 'content-type': 'application/octet-stream' },
        body,
      });
      expect(response.status).toBe(201);
      expect(await readJson(response), 'what the server received').toEqual({ bytes: total, sha256: clientHash.digest('hex') });
      // A stream of unknown length goes chunked; a Content-Length, if any, must be the length that arrived.
      const { 'content-length': length, 'transfer-encoding': encoding } = server.requests[0]?.headers ?? {};
      if (length !== undefined) expect(length, 'content-length of a stream upload').toBe(String(total));
      else expect(encoding, 'transfer-encoding of a stream upload without content-length').toBe('chunked');
    },
  },
  {
    id: 'upload-stream-length',
    group: 'bodies',
    requires: 'streamingUpload',
    title: 'a stream upload with the caller’s Content-Length sends exactly that header and those bytes',
    timeoutMs: 15_000,
    async run({ transport, expect, servers }) {
      const server = await servers.serve(echoDigest);
      const parts = [patternChunk(0, 300 * KiB), patternChunk(1, 7), patternChunk(2, 200 * KiB)];
      const total = parts.reduce((sum, part) => sum + part.length, 0);
      const hash = createHash('sha256');
      for (const part of parts) hash.update(part);
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          const next = parts.shift();
          if (next === undefined) controller.close();
          else controller.enqueue(next);
        },
      });
      const response = await transport.send({
        method: 'PATCH',
        url: server.url('/chunk'),
        headers: { 'content-length': String(total), 'content-range': `0-${total - 1}` },
        body,
      });
      expect(response.status).toBe(201);
      expect(await readJson(response), 'what the server received').toEqual({ bytes: total, sha256: hash.digest('hex') });
      const seen = server.requests[0]?.headers ?? {};
      expect(seen['content-length'], 'content-length as the caller set it').toBe(String(total));
      expect(seen['transfer-encoding'] ?? 'none', 'transfer-encoding beside a content-length').toBe('none');
    },
  },
  {
    id: 'upload-large',
    group: 'bodies',
    requires: 'largeUploads',
    title:
      'a transport that declares streamsRequestBodies uploads a large stream intact, in memory far below its size (others: nothing to check)',
    timeoutMs: 120_000,
    async run({ transport, expect, servers, largeBodyBytes }) {
      // Core sends a whole blob in one request over such a transport: its memory must not grow with the blob.
      if (transport.streamsRequestBodies !== true) return;
      const server = await servers.serve(echoDigest);
      const chunk = 256 * KiB;
      const hash = createHash('sha256');
      const memory = new MemoryGrowth();
      let produced = 0;
      let pulls = 0;
      const body = new ReadableStream<Uint8Array>(
        {
          pull(controller) {
            if (produced >= largeBodyBytes) {
              controller.close();
              return;
            }
            if (++pulls % 64 === 1) memory.sample();
            const bytes = patternChunk(pulls, Math.min(chunk, largeBodyBytes - produced));
            hash.update(bytes);
            produced += bytes.length;
            controller.enqueue(bytes);
          },
        },
        { highWaterMark: 0 },
      );
      const response = await transport.send({
        method: 'PATCH',
        url: server.url('/large-upload'),
        headers: { 'content-type': 'application/octet-stream' },
        body,
      });
      memory.sample();
      expect(response.status).toBe(201);
      expect(await readJson(response), 'what the server received').toEqual({ bytes: largeBodyBytes, sha256: hash.digest('hex') });
      memory.expectFarBelow(expect, largeBodyBytes, 'uploading');
    },
  },
  {
    id: 'abort-during-upload',
    group: 'abort and timeouts',
    requires: 'streamingUpload',
    title: 'aborting mid-upload rejects with signal.reason, drops the request and stops reading the body',
    timeoutMs: 15_000,
    async run({ transport, expect, servers }) {
      const firstBytes = deferred();
      const dropped = deferred();
      const server = await servers.serve((req) => {
        req.once('data', () => firstBytes.resolve());
        req.socket.on('close', () => dropped.resolve());
        // Reads on and never answers: only the abort can end this request.
        req.resume();
      });
      const cancelled = deferred();
      let produced = 0;
      const body = new ReadableStream<Uint8Array>(
        {
          async pull(controller) {
            // 256 KiB, then a producer that has nothing more yet (a slow disk, a chunk being hashed).
            if (produced >= 256 * KiB) {
              await Promise.race([cancelled.promise, sleep(10_000)]);
              return;
            }
            const bytes = patternChunk(produced / (64 * KiB), 64 * KiB);
            produced += bytes.length;
            controller.enqueue(bytes);
          },
          cancel() {
            cancelled.resolve();
          },
        },
        { highWaterMark: 0 },
      );
      const controller = new AbortController();
      const reason = new Error('contract: aborted mid-upload');
      const pending = settle(
        transport.send({ method: 'PUT', url: server.url('/upload'), headers: {}, body }, { signal: controller.signal }),
      );
      const sawBytes = await Promise.race([firstBytes.promise.then(() => true), sleep(5_000).then(() => false)]);
      expect(sawBytes, 'the server saw the first bytes of the upload').toBe(true);
      controller.abort(reason);
      const outcome = await withDeadline(pending, 5_000, 'send() did not settle after its signal aborted mid-upload');
      expect(outcome.rejected, 'send() rejected').toBe(true);
      expect(outcome.value, 'rejection').toBe(reason);
      const closedSocket = await Promise.race([dropped.promise.then(() => true), sleep(5_000).then(() => false)]);
      expect(closedSocket, 'the connection of the aborted upload was closed').toBe(true);
      const stopped = await Promise.race([cancelled.promise.then(() => true), sleep(5_000).then(() => false)]);
      expect(stopped, 'the request body stream was cancelled after the abort').toBe(true);
    },
  },
  {
    id: 'download-streams',
    group: 'bodies',
    title: 'resolves at the response headers and hands over body bytes before the body has ended',
    timeoutMs: 20_000,
    async run({ transport, expect, servers }) {
      const clientGotBytes = deferred();
      let serverWaitedInVain = false;
      const server = await servers.serve(async (_, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.write(patternChunk(0, MiB));
        serverWaitedInVain = !(await Promise.race([clientGotBytes.promise.then(() => true), sleep(5_000).then(() => false)]));
        res.end(patternChunk(1, MiB));
      });
      const response = await transport.send({ method: 'GET', url: server.url('/slow-blob'), headers: {} });
      const reader = bodyOf(response).getReader();
      const first = await reader.read();
      clientGotBytes.resolve();
      let received = first.value?.length ?? 0;
      for (let next = await reader.read(); !next.done; next = await reader.read()) received += next.value.length;
      expect(serverWaitedInVain, 'the body was held back until the server finished (the transport buffers bodies)').toBe(false);
      expect(received).toBe(2 * MiB);
    },
  },
  {
    id: 'download-large',
    group: 'bodies',
    requires: 'largeBodies',
    title: 'streams a large body (generated on the fly) intact, in memory far below its size',
    timeoutMs: 120_000,
    async run({ transport, expect, servers, largeBodyBytes }) {
      const chunk = 256 * KiB;
      const serverDigest = deferred<string>();
      const server = await servers.serve(async (_, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': largeBodyBytes });
        const hash = createHash('sha256');
        for (let sent = 0, index = 0; sent < largeBodyBytes; index++) {
          const bytes = patternChunk(index, Math.min(chunk, largeBodyBytes - sent));
          hash.update(bytes);
          sent += bytes.length;
          if (!res.write(bytes)) await drained(res);
        }
        res.end();
        serverDigest.resolve(hash.digest('hex'));
      });
      const memory = new MemoryGrowth();
      const response = await transport.send({ method: 'GET', url: server.url('/large-blob'), headers: {} });
      // Measured at the headers too: a transport that buffers holds the whole body by now,
      // possibly as one chunk that is garbage again before the 64th read.
      memory.sample();
      const hash = createHash('sha256');
      let received = 0;
      let reads = 0;
      const reader = bodyOf(response).getReader();
      for (let next = await reader.read(); !next.done; next = await reader.read()) {
        hash.update(next.value);
        received += next.value.length;
        if (++reads % 64 === 1) memory.sample();
      }
      memory.sample();
      expect(received, 'bytes received').toBe(largeBodyBytes);
      expect(hash.digest('hex'), 'digest of the body').toBe(await serverDigest.promise);
      memory.expectFarBelow(expect, largeBodyBytes, 'downloading');
    },
  },
  {
    id: 'body-cancel',
    group: 'bodies',
    title: 'cancelling the body stops the download, and the transport keeps working',
    timeoutMs: 15_000,
    async run({ transport, expect, servers }) {
      const closed = deferred();
      const server = await servers.serve(async (req, res) => {
        if (req.url === '/after') {
          res.writeHead(200);
          res.end('still working');
          return;
        }
        res.on('close', () => closed.resolve());
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        for (let index = 0; !res.destroyed && !res.writableEnded && index < 16_384; index++) {
          if (!res.write(patternChunk(index, 64 * KiB))) await Promise.race([drained(res), closed.promise]);
        }
        res.end();
      });
      const response = await transport.send({ method: 'GET', url: server.url('/endless'), headers: {} });
      const reader = bodyOf(response).getReader();
      await reader.read();
      await reader.cancel();
      const stopped = await Promise.race([closed.promise.then(() => true), sleep(5_000).then(() => false)]);
      expect(stopped, 'the server was still sending 5 s after the body was cancelled').toBe(true);
      const after = await transport.send({ method: 'GET', url: server.url('/after'), headers: {} });
      expect(await readText(after)).toBe('still working');
    },
  },

  {
    id: 'cancel-keeps-connection',
    group: 'bodies',
    title: 'cancelling a short body that has fully arrived leaves the connection for the next request',
    timeoutMs: 10_000,
    async run({ transport, expect, servers }) {
      // How registries answer writes and challenges: a short body (often none) that core cancels unread.
      const answers: Record<string, { status: number; body: string }> = {
        '/created': { status: 201, body: '' },
        '/accepted': { status: 202, body: '' },
        '/challenge': { status: 401, body: '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}' },
      };
      const server = await servers.serve((req, res) => {
        const answer = answers[req.url ?? ''] ?? { status: 200, body: 'after' };
        req.resume();
        req.on('end', () => {
          res.writeHead(answer.status, { 'content-type': 'application/json', 'content-length': String(answer.body.length) });
          res.end(answer.body);
        });
      });
      for (const path of Object.keys(answers)) {
        const response = await transport.send({ method: 'POST', url: server.url(path), headers: {}, body: encoder.encode('{}') });
        expect(response.status).toBe(answers[path]?.status);
        // The whole answer is on the wire with its headers; give the transport a moment to take it in.
        await sleep(20);
        await response.body?.cancel();
      }
      const after = await transport.send({ method: 'GET', url: server.url('/after'), headers: {} });
      expect(await readText(after)).toBe('after');
      expect(server.connections, 'connections opened for four requests made one after the other').toBe(1);
    },
  },

  // ── abort and timeouts ────────────────────────────────────────────────────
  {
    id: 'abort-before-send',
    group: 'abort and timeouts',
    title: 'an already aborted signal rejects with signal.reason and sends nothing',
    timeoutMs: 10_000,
    async run({ transport, expect, servers }) {
      const server = await servers.serve((_, res) => {
        res.writeHead(200);
        res.end();
      });
      const reason = new Error('contract: aborted before send');
      const outcome = await settle(
        transport.send({ method: 'GET', url: server.url('/never'), headers: {} }, { signal: AbortSignal.abort(reason) }),
      );
      expect(outcome.rejected, 'send() rejected').toBe(true);
      expect(outcome.value, 'rejection').toBe(reason);
      await sleep(100);
      expect(server.requests.length, 'requests received').toBe(0);
    },
  },
  {
    id: 'abort-waiting-for-headers',
    group: 'abort and timeouts',
    title: 'aborting while waiting for headers rejects with signal.reason and drops the request',
    timeoutMs: 10_000,
    async run({ transport, expect, servers }) {
      const dropped = deferred();
      const server = await servers.serve((req) => {
        req.socket.on('close', () => dropped.resolve());
      });
      const controller = new AbortController();
      const reason = new Error('contract: aborted while waiting');
      const pending = settle(
        transport.send({ method: 'GET', url: server.url('/stall'), headers: {} }, { signal: controller.signal }),
      );
      await server.waitForRequests(1);
      controller.abort(reason);
      const outcome = await withDeadline(pending, 5_000, 'send() did not settle after its signal aborted');
      expect(outcome.rejected, 'send() rejected').toBe(true);
      expect(outcome.value, 'rejection').toBe(reason);
      const closedSocket = await Promise.race([dropped.promise.then(() => true), sleep(5_000).then(() => false)]);
      expect(closedSocket, 'the connection of the aborted request was closed').toBe(true);
    },
  },
  {
    id: 'abort-during-body',
    group: 'abort and timeouts',
    title: 'aborting mid-body errors the body stream with signal.reason',
    timeoutMs: 10_000,
    async run({ transport, expect, servers }) {
      const server = await servers.serve((_, res) => {
        res.writeHead(200, { 'content-length': String(MiB) });
        res.write(patternChunk(0, 16 * KiB));
      });
      const controller = new AbortController();
      const reason = new Error('contract: aborted mid-body');
      const response = await transport.send(
        { method: 'GET', url: server.url('/partial'), headers: {} },
        { signal: controller.signal },
      );
      const reader = bodyOf(response).getReader();
      await reader.read();
      controller.abort(reason);
      const end = await withDeadline(readToEnd(reader), 5_000, 'the body did not settle after its signal aborted');
      expect(end.errored, 'the body errored (it must not end as if complete)').toBe(true);
      expect(end.error, 'body error').toBe(reason);
    },
  },
  {
    id: 'stalled-headers',
    group: 'abort and timeouts',
    title: 'a server that never answers is cut off by a timeout signal (TimeoutError or signal.reason)',
    timeoutMs: 10_000,
    async run({ transport, expect, servers }) {
      const server = await servers.serve(() => undefined);
      const signal = AbortSignal.timeout(300);
      const outcome = await withDeadline(
        settle(transport.send({ method: 'GET', url: server.url('/stall'), headers: {} }, { signal })),
        5_000,
        'send() did not settle after its timeout signal fired',
      );
      expect(outcome.rejected, 'send() rejected').toBe(true);
      expect(
        isTimeout(outcome.value, signal),
        `rejection is signal.reason or a TimeoutError (got ${String(outcome.value)})`,
      ).toBe(true);
    },
  },
  {
    id: 'stalled-body',
    group: 'abort and timeouts',
    title: 'a body that stalls is cut off by a timeout signal (TimeoutError or signal.reason)',
    timeoutMs: 10_000,
    async run({ transport, expect, servers }) {
      const server = await servers.serve((_, res) => {
        res.writeHead(200, { 'content-length': String(MiB) });
        res.write(patternChunk(0, 1024));
      });
      const signal = AbortSignal.timeout(500);
      const response = await transport.send({ method: 'GET', url: server.url('/stall-body'), headers: {} }, { signal });
      const end = await withDeadline(
        readToEnd(bodyOf(response).getReader()),
        5_000,
        'the body did not settle after its timeout signal fired',
      );
      expect(end.errored, 'the body errored').toBe(true);
      expect(isTimeout(end.error, signal), `body error is signal.reason or a TimeoutError (got ${String(end.error)})`).toBe(true);
    },
  },

  // ── network failures ──────────────────────────────────────────────────────
  {
    id: 'connection-refused',
    group: 'network failures',
    title: 'a refused connection rejects with TransportError carrying the cause',
    timeoutMs: 15_000,
    async run({ transport, expect, servers }) {
      const origin = await servers.refusedOrigin();
      const outcome = await settle(transport.send({ method: 'GET', url: `${origin}/v2/`, headers: {} }));
      expectTransportError(expect, outcome, 'send() to a closed port');
    },
  },
  {
    id: 'reset-before-headers',
    group: 'network failures',
    title: 'a connection reset before the headers rejects with TransportError',
    timeoutMs: 15_000,
    async run({ transport, expect, servers }) {
      const server = await servers.serve((req) => {
        req.socket.resetAndDestroy();
      });
      const outcome = await settle(transport.send({ method: 'GET', url: server.url('/reset'), headers: {} }));
      expectTransportError(expect, outcome, 'send() whose connection was reset');
    },
  },
  {
    id: 'reset-mid-body',
    group: 'network failures',
    title: 'a connection reset mid-body errors the body stream with TransportError',
    timeoutMs: 15_000,
    async run({ transport, expect, servers }) {
      const server = await servers.serve((req, res) => {
        res.writeHead(200, { 'content-length': String(MiB) });
        res.write(patternChunk(0, 64 * KiB), () => {
          setTimeout(() => req.socket.resetAndDestroy(), 50);
        });
      });
      const response = await transport.send({ method: 'GET', url: server.url('/reset-body'), headers: {} });
      const end = await withDeadline(readToEnd(bodyOf(response).getReader()), 5_000, 'the body did not settle after a reset');
      expectTransportError(expect, { rejected: end.errored, value: end.error }, 'a body whose connection was reset');
    },
  },
  {
    id: 'truncated-body',
    group: 'network failures',
    title: 'a body shorter than its Content-Length errors with TransportError (it never ends as if complete)',
    timeoutMs: 15_000,
    async run({ transport, expect, servers }) {
      const server = await servers.serve((req, res) => {
        res.writeHead(200, { 'content-length': '1000' });
        res.write(patternChunk(0, 500), () => req.socket.destroySoon());
      });
      const response = await transport.send({ method: 'GET', url: server.url('/short'), headers: {} });
      const end = await withDeadline(readToEnd(bodyOf(response).getReader()), 5_000, 'the truncated body did not settle');
      expectTransportError(expect, { rejected: end.errored, value: end.error }, 'a truncated body');
    },
  },
  {
    id: 'malformed-response',
    group: 'network failures',
    title: 'a response that is not HTTP rejects with TransportError',
    timeoutMs: 15_000,
    async run({ transport, expect, servers }) {
      const server = await servers.serveTcp((socket) => {
        socket.once('data', () => socket.end('NOT HTTP AT ALL\r\n\r\n'));
      });
      const outcome = await settle(transport.send({ method: 'GET', url: `${server.origin}/v2/`, headers: {} }));
      expectTransportError(expect, outcome, 'send() answered with garbage');
    },
  },

  // ── TLS ───────────────────────────────────────────────────────────────────
  {
    id: 'tls-private-ca',
    group: 'tls',
    needsTrust: true,
    title: 'trusts a private CA when told to; without it, fails with a TransportError naming TLS, not retryable',
    timeoutMs: 15_000,
    async run({ transport, expect, servers, createTrustingTransport }) {
      if (createTrustingTransport === undefined) throw new Error('needs createTrustingTransport');
      const certificate = loopbackCertificate();
      const server = await servers.serve((_, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('over tls');
      }, certificate);
      const untrusted = await settle(transport.send({ method: 'GET', url: server.url('/v2/'), headers: {} }));
      expectTransportError(expect, untrusted, 'send() to a server with a self-signed certificate');
      expect(describe(untrusted.value), 'the error names TLS').toMatch(/\bTLS\b/);
      expect((untrusted.value as { retryable?: unknown }).retryable ?? false, 'the error is retryable').toBe(false);
      expect(server.requests.length, 'requests that got past the TLS handshake').toBe(0);

      const trusting = await createTrustingTransport(certificate.cert);
      try {
        const response = await trusting.send({ method: 'GET', url: server.url('/v2/'), headers: {} });
        expect(response.status).toBe(200);
        expect(await readText(response)).toBe('over tls');
      } finally {
        await trusting.close?.();
      }
    },
  },
];

// ── helpers ───────────────────────────────────────────────────────────────

interface Outcome {
  readonly rejected: boolean;
  readonly value: unknown;
}

function settle(promise: Promise<unknown>): Promise<Outcome> {
  return promise.then(
    (value) => {
      // A transport that wrongly resolved may still hold a connection open.
      const body = (value as Partial<TransportResponse> | undefined)?.body;
      body?.cancel().catch(() => undefined);
      return { rejected: false, value };
    },
    (value: unknown) => ({ rejected: true, value }),
  );
}

async function resolvedOrExplain(promise: Promise<TransportResponse>, what: string): Promise<TransportResponse> {
  try {
    return await promise;
  } catch (error) {
    throw new Error(`send() rejected when the ${what}; a transport must resolve for every HTTP status`, { cause: error });
  }
}

function expectTransportError(expect: ContractExpect, outcome: Outcome, what: string): void {
  expect(outcome.rejected, `${what} failed`).toBe(true);
  expect(TransportError.isInstance(outcome.value), `${what}: error is a TransportError (got ${describe(outcome.value)})`).toBe(
    true,
  );
  expect((outcome.value as { cause?: unknown }).cause === undefined, `${what}: TransportError has no cause`).toBe(false);
}

function isTimeout(error: unknown, signal: AbortSignal): boolean {
  return (signal.aborted && error === signal.reason) || TimeoutError.isInstance(error);
}

function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  return String(value);
}

function bodyOf(response: TransportResponse): ReadableStream<Uint8Array> {
  if (!response.body) throw new Error(`HTTP ${response.status} came with a null body where one was sent`);
  return response.body;
}

async function readBytes(response: TransportResponse): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array(0);
  const parts: Uint8Array[] = [];
  const reader = response.body.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) parts.push(next.value);
  const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return bytes;
}

async function readText(response: TransportResponse): Promise<string> {
  return new TextDecoder().decode(await readBytes(response));
}

async function readJson(response: TransportResponse): Promise<unknown> {
  return JSON.parse(await readText(response));
}

async function discard(response: TransportResponse): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

async function readToEnd(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<{ errored: boolean; error: unknown }> {
  try {
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      // keep reading until the stream ends or errors
    }
    return { errored: false, error: undefined };
  } catch (error) {
    return { errored: true, error };
  }
}

/** Replies 201 with the byte count and SHA-256 of the request body. */
async function echoDigest(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of req) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  res.writeHead(201, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ bytes, sha256: hash.digest('hex') }));
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Deterministic, non-repeating-looking content; a fresh buffer per call. */
function patternChunk(index: number, size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let state = Math.imul(index + 1, 0x9e3779b1) >>> 0;
  for (let i = 0; i < size; i += 4) {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    bytes[i] = state & 0xff;
    if (i + 1 < size) bytes[i + 1] = (state >>> 8) & 0xff;
    if (i + 2 < size) bytes[i + 2] = (state >>> 16) & 0xff;
    if (i + 3 < size) bytes[i + 3] = state >>> 24;
  }
  return bytes;
}

/** Resolves when the response can take more data, or is gone. Leaves no listener behind. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Live memory over a large transfer: its highest sample against where it started. */
class MemoryGrowth {
  readonly #baseline = usedMemory();
  #peak = this.#baseline;

  /** Takes one sample (after a garbage collection where possible). */
  sample(): void {
    this.#peak = Math.max(this.#peak, usedMemory());
  }

  /**
   * Fails unless memory grew by less than three quarters of the body. A
   * transport that keeps what it moves grows by the whole body or more (Node's
   * fetch sending a stream under `redirect: 'manual'`: +66 MiB for 64 MiB);
   * one that streams stays far below, but sampling the heap mid-transfer is
   * noisy (up to about half the body measured for undici, axios and node:http
   * alike), hence three quarters.
   */
  expectFarBelow(expect: ContractExpect, bodyBytes: number, doing: 'uploading' | 'downloading'): void {
    const growth = this.#peak - this.#baseline;
    expect(
      growth,
      `memory grew by ${Math.round(growth / MiB)} MiB while ${doing} ${Math.round(bodyBytes / MiB)} MiB`,
    ).toBeLessThan(bodyBytes * 0.75);
  }
}

/**
 * Live memory: heap plus ArrayBuffers (where body chunks live). Garbage is
 * collected first when possible, so that chunks already read and dropped do
 * not count; without that, the generous threshold absorbs them.
 */
function usedMemory(): number {
  collectGarbage?.();
  const { heapUsed, arrayBuffers } = memoryUsage();
  return heapUsed + arrayBuffers;
}

const collectGarbage: (() => void) | undefined = (() => {
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') return exposed as () => void;
  try {
    // V8 exposes gc() to contexts created after the flag is set.
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
})();

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}

function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
