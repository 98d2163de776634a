import { Readable } from 'node:stream';
import { InvalidOptionError, TransportError } from '@regkit/core';
import type { Dispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import { createUndiciTransport, type UndiciTransportOptions } from './undici-transport';

interface FakeAnswer {
  readonly statusCode?: number;
  readonly headers?: Record<string, string | string[]>;
  readonly chunks?: Uint8Array[];
  readonly fail?: unknown;
}

/** A Dispatcher double that records the options `request()` receives. */
function fakeDispatcher(answer: FakeAnswer = {}) {
  const calls: Dispatcher.RequestOptions[] = [];
  let dumped = 0;
  let closed = 0;
  const dispatcher = {
    async request(options: Dispatcher.RequestOptions) {
      calls.push(options);
      if (answer.fail !== undefined) throw answer.fail;
      const body = Object.assign(Readable.from(answer.chunks ?? [], { objectMode: false }), {
        dump: async () => {
          dumped++;
        },
      });
      return { statusCode: answer.statusCode ?? 200, headers: answer.headers ?? {}, body };
    },
    async close() {
      closed++;
    },
    async destroy() {},
  };
  return {
    dispatcher: dispatcher as unknown as Dispatcher,
    calls,
    get dumped() {
      return dumped;
    },
    get closed() {
      return closed;
    },
  };
}

const URL_ = 'http://127.0.0.1:5000/v2/library/alpine/tags/list?n=10&last=a';

describe('createUndiciTransport options', () => {
  it.each<[UndiciTransportOptions, string]>([
    [{ connectTimeoutMs: 0 }, 'connectTimeoutMs'],
    [{ headersTimeoutMs: -1 }, 'headersTimeoutMs'],
    [{ bodyTimeoutMs: 1.5 }, 'bodyTimeoutMs'],
    [{ connections: 0 }, 'connections'],
    [{ keepAliveTimeoutMs: Number.NaN }, 'keepAliveTimeoutMs'],
    // Above 2³¹−1 ms the platform fires a timer after 1 ms.
    [{ connectTimeoutMs: 2 ** 31 }, 'connectTimeoutMs'],
    [{ headersTimeoutMs: 2 ** 31 }, 'headersTimeoutMs'],
    [{ bodyTimeoutMs: 2 ** 40 }, 'bodyTimeoutMs'],
    [{ keepAliveTimeoutMs: 2 ** 31 }, 'keepAliveTimeoutMs'],
    [{ connections: '4' as unknown as number }, 'connections'],
  ])('rejects %o naming %s', (options, option) => {
    let error: unknown;
    try {
      createUndiciTransport(options);
    } catch (caught) {
      error = caught;
    }
    expect(InvalidOptionError.isInstance(error)).toBe(true);
    expect((error as InvalidOptionError).option).toBe(option);
    expect((error as Error).message).toMatch(new RegExp(`^@regkit/transport-undici: \`${option}\` must be an integer`));
  });

  it('accepts 0 for the headers and body timeouts (undici: disabled)', () => {
    expect(() => createUndiciTransport({ headersTimeoutMs: 0, bodyTimeoutMs: 0 })).not.toThrow();
  });

  it('rejects something that is not a Dispatcher', () => {
    const partial = { request: async () => ({}) } as unknown as Dispatcher;
    expect(() => createUndiciTransport({ dispatcher: partial })).toThrowError(/must be an undici Dispatcher/);
  });

  it('refuses a misspelt option with a did-you-mean hint, and `proxy` with a pointer to httpProxy', () => {
    expect(() => createUndiciTransport({ headersTimeout: 5 } as never)).toThrowError(/did you mean `headersTimeoutMs`/);
    expect(() => createUndiciTransport({ proxy: 'http://127.0.0.1:3128' } as never)).toThrowError(
      /^@regkit\/transport-undici: createUndiciTransport\(\) has no option `proxy` \(an HTTP forward proxy is `httpProxy`/,
    );
  });

  it('checks tls eagerly and refuses it with a dispatcher', () => {
    expect(() => createUndiciTransport({ tls: { insecure: 'yes' } as never })).toThrowError(/`tls.insecure` must be a boolean/);
    expect(() => createUndiciTransport({ tls: { ca: 'ca.pem' } })).toThrowError(/`tls.ca` must be PEM text/);
    expect(() => createUndiciTransport({ tls: { insecure: true } })).not.toThrow();
  });

  it.each(['connectTimeoutMs', 'connections', 'keepAliveTimeoutMs', 'tls'] as const)(
    'rejects %s together with a dispatcher, which it would not configure',
    (option) => {
      const { dispatcher } = fakeDispatcher();
      expect(() => createUndiciTransport({ dispatcher, [option]: option === 'tls' ? { insecure: true } : 5 })).toThrowError(
        new RegExp(`\`${option}\` configures the transport's own connection pool`),
      );
    },
  );
});

describe('createUndiciTransport with a dispatcher', () => {
  it('declares the v1 contract and its name', () => {
    const transport = createUndiciTransport({ dispatcher: fakeDispatcher().dispatcher });
    expect(transport.specificationVersion).toBe('v1');
    expect(transport.name).toBe('undici');
  });

  it('sends origin, path with query, method, headers and signal, with redirects disabled', async () => {
    const fake = fakeDispatcher({ chunks: [Buffer.from('ok')] });
    const signal = new AbortController().signal;
    const response = await createUndiciTransport({ dispatcher: fake.dispatcher }).send(
      { method: 'GET', url: URL_, headers: { accept: 'application/json' } },
      { signal },
    );
    const [options] = fake.calls;
    expect(options).toMatchObject({
      origin: 'http://127.0.0.1:5000',
      path: '/v2/library/alpine/tags/list?n=10&last=a',
      method: 'GET',
      headers: { accept: 'application/json' },
      body: null,
      maxRedirections: 0,
      // undici's coarse timers are off: the transport times both phases itself.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    // The caller's signal reaches the dispatcher through the headers timer's signal.
    expect(options?.signal).not.toBe(signal);
    expect((options as { signal: AbortSignal }).signal.aborted).toBe(false);
    expect(await new Response(response.body).text()).toBe('ok');
  });

  it('passes bytes as they are and a ReadableStream as bounded chunks', async () => {
    const fake = fakeDispatcher({ statusCode: 201 });
    const transport = createUndiciTransport({ dispatcher: fake.dispatcher });
    const bytes = new Uint8Array([1, 2, 3]);
    await transport.send({ method: 'PUT', url: URL_, headers: {}, body: bytes });
    expect(fake.calls[0]?.body).toBe(bytes);

    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array([4, 5]));
        controller.close();
      },
    });
    await transport.send({ method: 'PATCH', url: URL_, headers: {}, body: stream });
    const sent = fake.calls[1]?.body as AsyncIterable<Uint8Array>;
    expect(typeof sent[Symbol.asyncIterator]).toBe('function');
    expect(stream.locked).toBe(true);
    const received: number[] = [];
    for await (const chunk of sent) received.push(...chunk);
    expect(received).toEqual([4, 5]);
  });

  it('joins repeated headers with ", " and lower-cases names', async () => {
    const fake = fakeDispatcher({
      statusCode: 401,
      headers: { 'WWW-Authenticate': ['Bearer realm="a"', 'Basic realm="b"'], 'docker-content-digest': 'sha256:00' },
    });
    const response = await createUndiciTransport({ dispatcher: fake.dispatcher }).send({ method: 'GET', url: URL_, headers: {} });
    expect(response.status).toBe(401);
    expect(response.url).toBe(URL_);
    expect(response.headers).toEqual({
      'www-authenticate': 'Bearer realm="a", Basic realm="b"',
      'docker-content-digest': 'sha256:00',
    });
  });

  it('gives a null body for HEAD, 204 and 304, and drains undici’s', async () => {
    const noContent = fakeDispatcher({ statusCode: 204 });
    const notModified = fakeDispatcher({ statusCode: 304 });
    const head = fakeDispatcher({ statusCode: 200, headers: { 'content-length': '42' } });
    const send = (fake: ReturnType<typeof fakeDispatcher>, method: 'DELETE' | 'GET' | 'HEAD') =>
      createUndiciTransport({ dispatcher: fake.dispatcher }).send({ method, url: URL_, headers: {} });
    expect((await send(noContent, 'DELETE')).body).toBeNull();
    expect((await send(notModified, 'GET')).body).toBeNull();
    const headResponse = await send(head, 'HEAD');
    expect(headResponse.body).toBeNull();
    expect(headResponse.headers['content-length']).toBe('42');
    expect([noContent.dumped, notModified.dumped, head.dumped]).toEqual([1, 1, 1]);
  });

  it('hands over chunks as plain Uint8Arrays, not Buffers', async () => {
    const fake = fakeDispatcher({ chunks: [Buffer.from('abc')] });
    const response = await createUndiciTransport({ dispatcher: fake.dispatcher }).send({ method: 'GET', url: URL_, headers: {} });
    const { value } = (await response.body?.getReader().read()) ?? {};
    expect(Object.getPrototypeOf(value)).toBe(Uint8Array.prototype);
    expect([...(value ?? [])]).toEqual([97, 98, 99]);
  });

  it('rejects with signal.reason before touching the dispatcher when already aborted', async () => {
    const fake = fakeDispatcher();
    const reason = new Error('no');
    await expect(
      createUndiciTransport({ dispatcher: fake.dispatcher }).send(
        { method: 'GET', url: URL_, headers: {} },
        { signal: AbortSignal.abort(reason) },
      ),
    ).rejects.toBe(reason);
    expect(fake.calls).toHaveLength(0);
  });

  it('maps what the dispatcher throws', async () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5000'), { code: 'ECONNREFUSED' });
    const fake = fakeDispatcher({ fail: cause });
    const error = await createUndiciTransport({ dispatcher: fake.dispatcher })
      .send({ method: 'GET', url: URL_, headers: {} })
      .catch((e: unknown) => e);
    expect(TransportError.isInstance(error)).toBe(true);
    expect((error as Error).cause).toBe(cause);
  });

  it.each(['ftp://127.0.0.1/x', 'not a url'])('rejects %s with TransportError without sending', async (url) => {
    const fake = fakeDispatcher();
    const error = await createUndiciTransport({ dispatcher: fake.dispatcher })
      .send({ method: 'GET', url, headers: {} })
      .catch((e: unknown) => e);
    expect(TransportError.isInstance(error)).toBe(true);
    expect(fake.calls).toHaveLength(0);
  });

  it('never closes a dispatcher it was given', async () => {
    const fake = fakeDispatcher();
    const transport = createUndiciTransport({ dispatcher: fake.dispatcher });
    await transport.send({ method: 'GET', url: URL_, headers: {} });
    await transport.close?.();
    expect(fake.closed).toBe(0);
  });
});
