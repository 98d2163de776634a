import { createFetchTransport } from '@regkit/core';
import type { Transport, TransportResponse } from '@regkit/core/spec';
import { describe, expect, it } from 'vitest';
import { createHandlerTransport, type RequestHandlerTarget } from '../handler-transport';
import { runTransportContract, transportChecks, transportContract } from './index';

// Core's fetch transport runs the contract here rather than in core, so that
// core never depends on @regkit/testing (testing depends on core).
// Node's fetch decompresses Content-Encoding bodies on its own, hence rawContentEncoding: false.
transportContract({
  describe,
  it,
  expect,
  name: 'fetch (Node.js)',
  createTransport: () => createFetchTransport(),
  supports: { rawContentEncoding: false },
});

// The handler transport has no network of its own: here its target hands each request on to
// the contract's loopback servers with Node's fetch, so the contract checks the handler
// transport's own part (bodies both ways, aborts, error and header handling) end to end.
// The stand-in network asks for no compression, as a fake registry never compresses.
const loopbackNetwork: RequestHandlerTarget = {
  serves: (origin) => new URL(origin).hostname === '127.0.0.1',
  handle(request) {
    if (!request.headers.has('accept-encoding')) request.headers.set('accept-encoding', 'identity');
    return fetch(request);
  },
};
transportContract({
  describe,
  it,
  expect,
  name: 'handler transport (to loopback through fetch)',
  createTransport: () => createHandlerTransport(loopbackNetwork),
  // The stand-in network is Node's fetch, which keeps a streamed request body in memory until the
  // request ends: upload-large would measure fetch, not the handler transport, which passes the stream on.
  supports: { rawContentEncoding: false, largeUploads: false },
});

/** A fetch transport with one part of its behaviour replaced. */
function tamper(change: (inner: Transport) => Transport['send']): () => Transport {
  return () => {
    const inner = createFetchTransport();
    return { specificationVersion: 'v1', name: 'broken', send: change(inner) };
  };
}

/** Runs the `only` checks against a transport and returns the ids that failed, sorted. */
async function failedChecks(createTransport: () => Transport, only: string[]): Promise<string[]> {
  const results = await runTransportContract({ createTransport, only, expect, supports: { rawContentEncoding: false } });
  expect(results.map((r) => r.id).sort()).toEqual([...only].sort());
  return results
    .filter((r) => r.status === 'failed')
    .map((r) => r.id)
    .sort();
}

function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

describe('the transport contract fails broken transports', () => {
  it('one that follows redirects', async () => {
    const follows = () =>
      createFetchTransport({ fetch: (input, init) => globalThis.fetch(input, { ...init, redirect: 'follow' }) });
    expect(await failedChecks(follows, ['redirects-not-followed'])).toEqual(['redirects-not-followed']);
  });

  it('one that throws on 4xx and 5xx', async () => {
    const throws = tamper((inner) => async (request, options) => {
      const response = await inner.send(request, options);
      if (response.status >= 400) throw new Error(`HTTP ${response.status}`);
      return response;
    });
    expect(await failedChecks(throws, ['every-status-resolves', 'get-200'])).toEqual(['every-status-resolves']);
  });

  it('one that buffers response bodies', async () => {
    const buffers = tamper((inner) => async (request, options) => {
      const response = await inner.send(request, options);
      if (!response.body) return response;
      const bytes = new Uint8Array(await new Response(response.body).arrayBuffer());
      return { ...response, body: streamOf(bytes) };
    });
    expect(await failedChecks(buffers, ['download-streams', 'download-large'])).toEqual(['download-large', 'download-streams']);
  }, 60_000);

  it('one that buffers stream uploads', async () => {
    const buffers = tamper((inner) => async (request, options) => {
      if (!(request.body instanceof ReadableStream)) return inner.send(request, options);
      const bytes = new Uint8Array(await new Response(request.body).arrayBuffer());
      return inner.send({ ...request, body: bytes }, options);
    });
    expect(await failedChecks(buffers, ['upload-stream', 'upload-bytes'])).toEqual(['upload-stream']);
  }, 30_000);

  it("Node's fetch sending a stream with redirect: 'manual' (the request is cloned; the unread copy keeps every chunk)", async () => {
    const manual: typeof fetch = (input, init) => fetch(input, { ...init, redirect: 'manual' });
    const cloning = (): Transport => createFetchTransport({ fetch: manual, streamsRequestBodies: true });
    expect(await failedChecks(cloning, ['upload-large'])).toEqual(['upload-large']);
  }, 60_000);

  it('one that declares streamsRequestBodies but buffers stream uploads', async () => {
    const buffers = (): Transport => {
      const inner = createFetchTransport();
      return {
        specificationVersion: 'v1',
        name: 'broken',
        streamsRequestBodies: true,
        async send(request, options) {
          if (!(request.body instanceof ReadableStream)) return inner.send(request, options);
          const bytes = new Uint8Array(await new Response(request.body).arrayBuffer());
          return inner.send({ ...request, body: bytes }, options);
        },
      };
    };
    expect(await failedChecks(buffers, ['upload-large'])).toEqual(['upload-large']);
  }, 60_000);

  it('one that opens a new connection for every request', async () => {
    const closing = tamper(
      (inner) => (request, options) => inner.send({ ...request, headers: { ...request.headers, connection: 'close' } }, options),
    );
    expect(await failedChecks(closing, ['cancel-keeps-connection'])).toEqual(['cancel-keeps-connection']);
  });

  it('one that ignores the abort signal', async () => {
    const deaf = tamper((inner) => (request) => inner.send(request));
    const aborts = [
      'abort-before-send',
      'abort-during-body',
      'abort-during-upload',
      'abort-waiting-for-headers',
      'stalled-headers',
    ];
    expect(await failedChecks(deaf, aborts)).toEqual(aborts);
  }, 60_000);

  it('one that leaks raw network errors', async () => {
    const raw = tamper(
      (inner) => (request, options) =>
        inner.send(request, options).catch((error: unknown) => {
          throw (error as { cause?: unknown }).cause ?? error;
        }),
    );
    expect(await failedChecks(raw, ['connection-refused', 'malformed-response'])).toEqual([
      'connection-refused',
      'malformed-response',
    ]);
  });

  it('one that keeps header case and repeats as they come', async () => {
    const raw = tamper((inner) => async (request, options) => {
      const response = await inner.send(request, options);
      const headers = Object.fromEntries(
        Object.entries(response.headers).map(([name, value]) => [name.replace(/(^|-)[a-z]/g, (c) => c.toUpperCase()), value]),
      );
      return { ...response, headers };
    });
    expect(await failedChecks(raw, ['response-headers'])).toEqual(['response-headers']);
  });

  it('one whose body ends quietly when the connection breaks', async () => {
    const quiet = tamper((inner) => async (request, options): Promise<TransportResponse> => {
      const response = await inner.send(request, options);
      const reader = response.body?.getReader();
      if (!reader) return response;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          try {
            const next = await reader.read();
            if (next.done) controller.close();
            else controller.enqueue(next.value);
          } catch {
            controller.close();
          }
        },
      });
      return { ...response, body };
    });
    const broken = ['abort-during-body', 'reset-mid-body', 'truncated-body'];
    expect(await failedChecks(quiet, broken)).toEqual(broken);
  });

  it('one that ignores the CA it is told to trust', async () => {
    const results = await runTransportContract({
      createTransport: () => createFetchTransport(),
      createTrustingTransport: () => createFetchTransport(),
      only: ['tls-private-ca'],
      expect,
    });
    expect(results.map((r) => r.status)).toEqual(['failed']);
  });

  it('reports unsupported checks as skipped, and rejects unknown ids', async () => {
    const results = await runTransportContract({
      createTransport: () => createFetchTransport(),
      only: ['content-encoding-raw', 'get-200'],
      supports: { rawContentEncoding: false },
    });
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['get-200', 'passed'],
      ['content-encoding-raw', 'skipped'],
    ]);
    expect(() => runTransportContract({ createTransport: () => createFetchTransport(), only: ['nope'] })).toThrow(
      /unknown check id\(s\) in `only`: nope/,
    );
  });

  it('lists every check once, each with a group and a title', () => {
    const ids = transportChecks.map((check) => check.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const check of transportChecks) {
      expect(check.group).not.toBe('');
      expect(check.title).not.toBe('');
    }
  });
});
