import { afterEach, describe, expect, it, vi } from 'vitest';
import { InvalidOptionError, NetworkError, TimeoutError, TransportError } from './errors';
import { createFetchTransport, fetchStreamsRequestBodies } from './fetch-transport';
import type { TransportRequest, TransportResponse } from './transport';

interface Call {
  readonly url: string;
  readonly init: RequestInit & { duplex?: string; window?: null };
}

function fakeFetch(answer: (call: Call) => Response | Promise<Response>): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const fn = async (input: RequestInfo | URL, init?: RequestInit) => {
    const call = { url: String(input), init: init ?? {} };
    calls.push(call);
    return answer(call);
  };
  return { fetch: fn as typeof fetch, calls };
}

function streamOf(chunks: Uint8Array[], then?: unknown): ReadableStream<Uint8Array> {
  let index = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[index++];
      if (chunk) controller.enqueue(chunk);
      else if (then !== undefined) controller.error(then);
      else controller.close();
    },
  });
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

function bodyOf(response: TransportResponse): ReadableStream<Uint8Array> {
  if (!response.body) throw new Error(`HTTP ${response.status} has no body`);
  return response.body;
}

const GET: TransportRequest = { method: 'GET', url: 'http://127.0.0.1:5000/v2/', headers: {} };

function fetchFailed(cause: unknown): TypeError {
  return new TypeError('fetch failed', { cause });
}

function systemError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('createFetchTransport', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('declares the v1 contract and its name', () => {
    const transport = createFetchTransport({ fetch: fakeFetch(() => new Response('')).fetch });
    expect(transport.specificationVersion).toBe('v1');
    expect(transport.name).toBe('fetch');
  });

  it('rejects a fetch option that is not a function', () => {
    expect(() => createFetchTransport({ fetch: 'nope' as unknown as typeof fetch })).toThrowError(
      /^@regkit\/core: createFetchTransport: `fetch` must be a function/,
    );
    try {
      createFetchTransport({ fetch: 42 as unknown as typeof fetch });
    } catch (error) {
      expect(InvalidOptionError.isInstance(error)).toBe(true);
      expect((error as InvalidOptionError).option).toBe('fetch');
    }
  });

  it('fails at creation when the runtime has no fetch and none is given', () => {
    vi.stubGlobal('fetch', undefined);
    expect(() => createFetchTransport()).toThrowError(/has no global fetch/);
  });

  it('looks up globalThis.fetch per request, so a mock installed later applies', async () => {
    const transport = createFetchTransport();
    const late = fakeFetch(() => new Response('late'));
    vi.stubGlobal('fetch', late.fetch);
    const response = await transport.send(GET);
    expect(late.calls).toHaveLength(1);
    expect(await readAll(bodyOf(response))).toBe('late');
  });

  it('sends method, headers and a manual redirect mode, and adds accept-encoding: identity', async () => {
    const fake = fakeFetch(() => new Response('ok'));
    const controller = new AbortController();
    const { signal } = controller;
    await createFetchTransport({ fetch: fake.fetch }).send(
      { method: 'DELETE', url: 'http://127.0.0.1:5000/v2/x/manifests/sha256:ab', headers: { authorization: 'Bearer t' } },
      { signal },
    );
    const [call] = fake.calls;
    expect(call?.url).toBe('http://127.0.0.1:5000/v2/x/manifests/sha256:ab');
    expect(call?.init.method).toBe('DELETE');
    expect(call?.init.redirect).toBe('manual');
    expect(call?.init.headers).toEqual({ authorization: 'Bearer t', 'accept-encoding': 'identity' });
    // The signal fetch gets is the caller's combined with the headers timeout.
    expect(call?.init.signal?.aborted).toBe(false);
    expect(call?.init.body).toBeUndefined();
    expect(call?.init.duplex).toBeUndefined();
  });

  it('keeps an accept-encoding the caller set', async () => {
    const fake = fakeFetch(() => new Response('ok'));
    await createFetchTransport({ fetch: fake.fetch }).send({ ...GET, headers: { 'accept-encoding': 'gzip' } });
    expect(fake.calls[0]?.init.headers).toEqual({ 'accept-encoding': 'gzip' });
  });

  it('sends bytes as they are and streams with duplex: half', async () => {
    const fake = fakeFetch(() => new Response(null, { status: 201 }));
    const transport = createFetchTransport({ fetch: fake.fetch });
    const bytes = new Uint8Array([1, 2, 3]);
    await transport.send({ method: 'PUT', url: GET.url, headers: {}, body: bytes });
    expect(fake.calls[0]?.init.body).toBe(bytes);
    expect(fake.calls[0]?.init.duplex).toBeUndefined();
    expect(fake.calls[0]?.init.redirect).toBe('manual');

    const stream = streamOf([bytes]);
    await transport.send({ method: 'PATCH', url: GET.url, headers: {}, body: stream });
    // A pass-through of the caller's stream (so an abort can cancel it), with the same bytes.
    const sent = fake.calls[1]?.init.body as ReadableStream<Uint8Array>;
    expect(stream.locked).toBe(true);
    expect(new Uint8Array(await new Response(sent).arrayBuffer())).toEqual(bytes);
    expect(fake.calls[1]?.init.duplex).toBe('half');
    // Any other redirect mode would make Node's fetch clone the request and keep every chunk sent.
    expect(fake.calls[1]?.init).toMatchObject({ redirect: 'error', window: null });
  });

  it('turns a redirect answering a streamed body into a NetworkError that retrying cannot heal', async () => {
    // What Node's fetch throws for a 3xx under redirect: 'error'.
    const fake = fakeFetch(() => {
      throw new TypeError('fetch failed', { cause: new Error('unexpected redirect') });
    });
    const error = await createFetchTransport({ fetch: fake.fetch })
      .send({ method: 'PUT', url: `${GET.url}?token=s3cret`, headers: {}, body: streamOf([new Uint8Array(4)]) })
      .catch((e) => e);
    expect(NetworkError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_STREAM_REDIRECT', retryable: false });
    expect(error.message).toMatch(/PUT http:\/\/127\.0\.0\.1:5000\/v2\/.* redirect/);
    expect(error.message).not.toContain('s3cret');
  });

  it("with Node's own fetch: a 307 answering a streamed PUT is that NetworkError, and the server got the body once", async () => {
    const { createServer } = await import('node:http');
    let received = 0;
    const server = createServer((request, response) => {
      request.on('data', (chunk: Uint8Array) => {
        received += chunk.byteLength;
      });
      request.on('end', () => response.writeHead(307, { location: '/elsewhere' }).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const error = await createFetchTransport()
        .send({ method: 'PUT', url: `http://127.0.0.1:${port}/upload`, headers: {}, body: streamOf([new Uint8Array(1000)]) })
        .catch((e) => e);
      expect(error).toMatchObject({ code: 'ERR_STREAM_REDIRECT', retryable: false });
      expect(received).toBe(1000);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('declares streamsRequestBodies for the global fetch of Node.js, Deno and Bun, not for a fetch it is given', () => {
    expect(createFetchTransport().streamsRequestBodies).toBe(true);
    const fake = fakeFetch(() => new Response(''));
    expect(createFetchTransport({ fetch: fake.fetch }).streamsRequestBodies).toBeUndefined();
    expect(createFetchTransport({ fetch: fake.fetch, streamsRequestBodies: true }).streamsRequestBodies).toBe(true);
    expect(createFetchTransport({ streamsRequestBodies: false }).streamsRequestBodies).toBeUndefined();
    expect(fetchStreamsRequestBodies({ process: { versions: { node: '20.20.0' } } })).toBe(true);
    expect(fetchStreamsRequestBodies({ Deno: {} })).toBe(true);
    expect(fetchStreamsRequestBodies({ Bun: {} })).toBe(true);
    expect(fetchStreamsRequestBodies({ document: {}, navigator: {} })).toBe(false);
  });

  it('refuses a streamsRequestBodies option that is not a boolean', () => {
    expect(() => createFetchTransport({ streamsRequestBodies: 'yes' as unknown as boolean })).toThrow(InvalidOptionError);
  });

  it('returns status, lower-case headers with repeats joined, the request URL and the body', async () => {
    const headers = new Headers();
    headers.append('WWW-Authenticate', 'Bearer realm="https://auth.example/token"');
    headers.append('WWW-Authenticate', 'Basic realm="r"');
    headers.append('Set-Cookie', 'a=1');
    headers.append('Set-Cookie', 'b=2');
    headers.append('Docker-Content-Digest', 'sha256:00');
    const fake = fakeFetch(() => new Response('denied', { status: 401, headers }));
    const response = await createFetchTransport({ fetch: fake.fetch }).send(GET);
    expect(response.status).toBe(401);
    expect(response.url).toBe(GET.url);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="https://auth.example/token", Basic realm="r"');
    expect(response.headers['set-cookie']).toBe('a=1, b=2');
    expect(response.headers['docker-content-digest']).toBe('sha256:00');
    expect(await readAll(bodyOf(response))).toBe('denied');
  });

  it('returns a 3xx as is, with its Location', async () => {
    const fake = fakeFetch(() => new Response(null, { status: 307, headers: { location: 'https://cdn.example/blob?sig=1' } }));
    const response = await createFetchTransport({ fetch: fake.fetch }).send(GET);
    expect(response.status).toBe(307);
    expect(response.headers.location).toBe('https://cdn.example/blob?sig=1');
  });

  it('gives no body for HEAD, 204 and 304', async () => {
    const transport = createFetchTransport({
      fetch: fakeFetch(({ init }) =>
        init.method === 'HEAD'
          ? new Response('ignored', { headers: { 'content-length': '7' } })
          : new Response(null, { status: 204 }),
      ).fetch,
    });
    const head = await transport.send({ ...GET, method: 'HEAD' });
    expect(head.body).toBeNull();
    expect(head.headers['content-length']).toBe('7');
    expect((await transport.send(GET)).body).toBeNull();
  });

  it('explains an opaque redirect instead of returning status 0', async () => {
    const opaque = { type: 'opaqueredirect', status: 0, headers: new Headers(), body: null } as unknown as Response;
    const transport = createFetchTransport({ fetch: fakeFetch(() => opaque).fetch });
    const error = await transport.send({ ...GET, url: 'https://r.example/v2/x/blobs/sha256:ab?token=secret' }).catch((e) => e);
    expect(TransportError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/opaque redirect/);
    expect(error.message).toMatch(/GET https:\/\/r\.example\/v2\/x\/blobs\/sha256:ab/);
    expect(error.message).not.toMatch(/secret/);
  });

  it('wraps a network failure in TransportError with the cause, without the query string', async () => {
    const cause = fetchFailed(systemError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'));
    const transport = createFetchTransport({ fetch: fakeFetch(() => Promise.reject(cause)).fetch });
    const error = await transport.send({ ...GET, url: 'https://user:pw@s3.example/blob?X-Amz-Signature=secret' }).catch((e) => e);
    expect(TransportError.isInstance(error)).toBe(true);
    expect(TimeoutError.isInstance(error)).toBe(false);
    expect(error.cause).toBe(cause);
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(error.message).not.toMatch(/secret|pw/);
  });

  it.each([
    ['UND_ERR_CONNECT_TIMEOUT', 'Connect Timeout Error (attempted address: 10.0.0.1:443, timeout: 1234ms)', 'connect', 1234],
    ['UND_ERR_HEADERS_TIMEOUT', 'Headers Timeout Error', 'headers', 300_000],
    ['UND_ERR_BODY_TIMEOUT', 'Body Timeout Error', 'body', 300_000],
  ] as const)('maps undici %s to TimeoutError', async (code, message, phase, ms) => {
    const cause = fetchFailed(systemError(code, message));
    const transport = createFetchTransport({ fetch: fakeFetch(() => Promise.reject(cause)).fetch });
    const error = await transport.send(GET).catch((e) => e);
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect(error.phase).toBe(phase);
    expect(error.timeoutMs).toBe(ms);
    expect(error.cause).toBe(cause);
  });

  it('rejects with signal.reason before calling fetch when already aborted', async () => {
    const fake = fakeFetch(() => new Response(''));
    const reason = new Error('caller gave up');
    const error = await createFetchTransport({ fetch: fake.fetch })
      .send(GET, { signal: AbortSignal.abort(reason) })
      .catch((e) => e);
    expect(error).toBe(reason);
    expect(fake.calls).toHaveLength(0);
  });

  it('rejects with signal.reason, not the AbortError fetch threw', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    const fake = fakeFetch(() => {
      controller.abort(reason);
      return Promise.reject(new DOMException('This operation was aborted', 'AbortError'));
    });
    const error = await createFetchTransport({ fetch: fake.fetch })
      .send(GET, { signal: controller.signal })
      .catch((e) => e);
    expect(error).toBe(reason);
  });

  it('errors the body with TransportError when the connection breaks mid-body', async () => {
    const cause = new TypeError('terminated', { cause: systemError('UND_ERR_SOCKET', 'other side closed') });
    const fake = fakeFetch(() => new Response(streamOf([new Uint8Array([104, 105])], cause)));
    const response = await createFetchTransport({ fetch: fake.fetch }).send(GET);
    const reader = bodyOf(response).getReader();
    expect((await reader.read()).value).toEqual(new Uint8Array([104, 105]));
    const error = await reader.read().catch((e) => e);
    expect(TransportError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/reading the response body of GET/);
    expect(error.message).toMatch(/UND_ERR_SOCKET|other side closed/);
    expect(error.cause).toBe(cause);
  });

  it('errors the body with signal.reason when aborted mid-body', async () => {
    const controller = new AbortController();
    const reason = new Error('user cancelled');
    const upstream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new Uint8Array([1]));
        controller.signal.addEventListener('abort', () => c.error(new DOMException('aborted', 'AbortError')));
      },
    });
    const response = await createFetchTransport({ fetch: fakeFetch(() => new Response(upstream)).fetch }).send(GET, {
      signal: controller.signal,
    });
    const reader = bodyOf(response).getReader();
    await reader.read();
    controller.abort(reason);
    await expect(reader.read()).rejects.toBe(reason);
  });

  it('passes cancel through to the underlying body and does not read ahead', async () => {
    let pulls = 0;
    let cancelled: unknown;
    const upstream = new ReadableStream<Uint8Array>(
      {
        pull(c) {
          pulls++;
          c.enqueue(new Uint8Array(1024));
        },
        cancel(reason) {
          cancelled = reason;
        },
      },
      { highWaterMark: 0 },
    );
    const response = await createFetchTransport({ fetch: fakeFetch(() => new Response(upstream)).fetch }).send(GET);
    const reader = bodyOf(response).getReader();
    await reader.read();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(pulls).toBeLessThanOrEqual(2);
    await reader.cancel('enough');
    expect(cancelled).toBe('enough');
  });
});

describe('createFetchTransport: options, timeouts and secrets', () => {
  it('refuses a misspelt option with a did-you-mean hint', () => {
    let thrown: unknown;
    try {
      createFetchTransport({ bodyTimeout: 5 } as never);
    } catch (error) {
      thrown = error;
    }
    expect(InvalidOptionError.isInstance(thrown)).toBe(true);
    expect((thrown as InvalidOptionError).option).toBe('bodyTimeout');
    expect((thrown as Error).message).toMatch(/did you mean `bodyTimeoutMs`/);
  });

  it.each([
    ['headersTimeoutMs', -1],
    ['bodyTimeoutMs', 1.5],
    ['bodyTimeoutMs', '10'],
  ])('refuses %s = %j', (name, value) => {
    expect(() => createFetchTransport({ [name]: value } as never)).toThrowError(
      new RegExp(`\`${name}\` must be an integer >= 0`),
    );
  });

  it('cuts off a body that stalls with TimeoutError after bodyTimeoutMs, and cancels it', async () => {
    let cancelled = false;
    const stalls = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new Uint8Array([1, 2]));
      },
      cancel() {
        cancelled = true;
      },
    });
    const transport = createFetchTransport({ fetch: fakeFetch(() => new Response(stalls)).fetch, bodyTimeoutMs: 80 });
    const reader = bodyOf(await transport.send(GET)).getReader();
    expect((await reader.read()).value).toEqual(new Uint8Array([1, 2]));
    const started = Date.now();
    const error = await reader.read().catch((e) => e);
    const waited = Date.now() - started;
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ phase: 'body', timeoutMs: 80 });
    expect(waited).toBeGreaterThanOrEqual(70);
    expect((error as TimeoutError).waitedMs).toBeGreaterThanOrEqual(79);
    expect((error as Error).message).toMatch(/^body timeout after \d+ ms \(limit 80 ms\)$/);
    expect(cancelled).toBe(true);
  });

  it('cuts off a server that sends no headers with TimeoutError after headersTimeoutMs', async () => {
    const never = fakeFetch(
      (call) =>
        new Promise<Response>((_, reject) => {
          call.init.signal?.addEventListener('abort', () => reject(call.init.signal?.reason));
        }),
    );
    const error = await createFetchTransport({ fetch: never.fetch, headersTimeoutMs: 50 })
      .send(GET)
      .catch((e) => e);
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ phase: 'headers', timeoutMs: 50 });
    expect((error as TimeoutError).waitedMs).toBeGreaterThanOrEqual(49);
    expect((error as Error).message).toMatch(/^headers timeout after \d+ ms \(limit 50 ms\)$/);
  });

  it('never copies a header value into its error: an invalid Authorization value from Node fetch', async () => {
    const secret = 'Bearer s3cr3t-token-value\nx';
    const error = await createFetchTransport()
      .send({ ...GET, headers: { authorization: secret } })
      .catch((e) => e);
    expect(TransportError.isInstance(error)).toBe(true);
    expect(error.retryable).toBe(false);
    const everything = `${error.message} ${String(error.cause)} ${String(error.cause?.cause)}`;
    expect(everything).not.toContain('s3cr3t');
  });

  it('marks fetch\u2019s "bad port" as a NetworkError that retrying cannot heal', async () => {
    const error = await createFetchTransport()
      .send({ ...GET, url: 'http://127.0.0.1:6000/v2/' })
      .catch((e) => e);
    expect(TransportError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_BAD_PORT', retryable: false });
  });

  it('refuses a stream body that was already read, without calling fetch', async () => {
    const fake = fakeFetch(() => new Response('ok'));
    const body = streamOf([new Uint8Array([1])]);
    body.getReader();
    const error = await createFetchTransport({ fetch: fake.fetch })
      .send({ method: 'PUT', url: GET.url, headers: {}, body })
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'ERR_BODY_USED', retryable: false });
    expect(fake.calls).toHaveLength(0);
  });
});
