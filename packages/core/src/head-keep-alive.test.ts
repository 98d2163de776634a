import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InvalidOptionError } from './errors';
import { createFetchTransport, nodeHeadDispatcher } from './fetch-transport';
import { headKeepAliveDispatcher } from './head-keep-alive';
import type { Transport, TransportRequest } from './transport';

const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');
const globals = globalThis as unknown as Record<symbol, unknown>;

interface DispatchCall {
  readonly method: string | undefined;
  readonly reset: boolean | null | undefined;
}

/**
 * A loopback registry stand-in that counts TCP connections; a new one (a new
 * origin, so a new pool in Node's global dispatcher) for every test.
 */
let server: Server;
let origin: string;
let connections = 0;

beforeEach(async () => {
  server = createServer((request, response) => {
    response.writeHead(200, { 'docker-content-digest': 'sha256:aa', 'content-length': '2' });
    response.end(request.method === 'HEAD' ? undefined : 'ok');
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  vi.unstubAllGlobals();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function request(method: 'GET' | 'HEAD'): TransportRequest {
  return { method, url: `${origin}/v2/team/app/manifests/latest`, headers: {} };
}

async function send(transport: Transport, method: 'GET' | 'HEAD'): Promise<void> {
  const response = await transport.send(request(method));
  expect(response.status).toBe(200);
  if (response.body) await new Response(response.body).arrayBuffer();
}

/** Connections the server saw for one GET (which keeps its connection) and then `heads` HEADs. */
async function connectionsFor(transport: Transport, heads: number): Promise<number> {
  const before = connections;
  await send(transport, 'GET');
  for (let i = 0; i < heads; i++) await send(transport, 'HEAD');
  return connections - before;
}

/** Wraps Node's global dispatcher, recording what each request asked of it. */
function recordGlobalDispatcher(): { calls: DispatchCall[]; restore: () => void } {
  const platform = globals[GLOBAL_DISPATCHER] as {
    dispatch(options: DispatchCall, handler: unknown): boolean;
  };
  const calls: DispatchCall[] = [];
  globals[GLOBAL_DISPATCHER] = {
    dispatch(options: DispatchCall, handler: unknown) {
      calls.push({ method: options.method, reset: options.reset });
      return platform.dispatch(options, handler);
    },
  };
  const restore = () => {
    globals[GLOBAL_DISPATCHER] = platform;
  };
  return { calls, restore };
}

describe('createFetchTransport on Node.js: keep-alive after HEAD', () => {
  it('reuses its connections for HEADs as for GETs', async () => {
    // undici may open a second connection when a request goes out just before the
    // previous answer has released the first; what matters is that 20 HEADs do not open 20.
    expect(await connectionsFor(createFetchTransport(), 20)).toBeLessThanOrEqual(2);
  });

  it('opens a connection per HEAD when keepAliveAfterHead is false, as fetch does', async () => {
    // Node closes after each HEAD; the GET's connection is the first HEAD's.
    expect(await connectionsFor(createFetchTransport({ keepAliveAfterHead: false }), 20)).toBe(20);
  });

  it('sends HEADs through the global dispatcher of the moment, with reset: false', async () => {
    const transport = createFetchTransport();
    await send(transport, 'GET'); // Node creates its global dispatcher on the first fetch.
    const recorder = recordGlobalDispatcher();
    try {
      await send(transport, 'HEAD');
      await send(transport, 'GET');
    } finally {
      recorder.restore();
    }
    expect(recorder.calls).toEqual([
      { method: 'HEAD', reset: false },
      { method: 'GET', reset: undefined },
    ]);
  });

  it('passes a dispatcher with HEAD only, and reports a MockAgent as the global one does', async () => {
    await send(createFetchTransport(), 'GET');
    const inits: (RequestInit & { dispatcher?: { isMockActive?: boolean } })[] = [];
    vi.stubGlobal('fetch', async (_input: string, init: RequestInit) => {
      inits.push(init);
      return new Response(null, { status: 200 });
    });
    const transport = createFetchTransport();
    await transport.send(request('GET'));
    await transport.send(request('HEAD'));
    expect(inits[0]?.dispatcher).toBeUndefined();
    const dispatcher = inits[1]?.dispatcher;
    expect(dispatcher).toBeDefined();

    const platform = globals[GLOBAL_DISPATCHER];
    globals[GLOBAL_DISPATCHER] = { dispatch: () => true, isMockActive: true };
    try {
      expect(dispatcher?.isMockActive).toBe(true);
    } finally {
      globals[GLOBAL_DISPATCHER] = platform;
    }
  });

  it('leaves a fetch of the caller alone', async () => {
    const inits: (RequestInit & { dispatcher?: unknown })[] = [];
    const own = (async (_input: string, init: RequestInit) => {
      inits.push(init);
      return new Response(null, { status: 200 });
    }) as unknown as typeof fetch;
    await createFetchTransport({ fetch: own }).send(request('HEAD'));
    expect(inits[0]).not.toHaveProperty('dispatcher');
  });

  it('rejects a keepAliveAfterHead that is not a boolean', () => {
    let thrown: unknown;
    try {
      createFetchTransport({ keepAliveAfterHead: 'yes' as unknown as boolean });
    } catch (error) {
      thrown = error;
    }
    expect(InvalidOptionError.isInstance(thrown)).toBe(true);
    expect((thrown as InvalidOptionError).option).toBe('keepAliveAfterHead');
    expect((thrown as Error).message).toMatch(/`keepAliveAfterHead` must be a boolean/);
  });
});

describe('createFetchTransport where fetch is not Node.js undici (Deno, Bun, browsers)', () => {
  const fakeDispatcher = () => {
    const calls: DispatchCall[] = [];
    return { calls, dispatch: (options: DispatchCall) => calls.push({ method: options.method, reset: options.reset }) > 0 };
  };

  it('supplies no dispatcher on a runtime without process, or without a known undici', () => {
    const dispatcher = fakeDispatcher();
    expect(headKeepAliveDispatcher({})).toBeUndefined();
    expect(headKeepAliveDispatcher({ [GLOBAL_DISPATCHER]: dispatcher })).toBeUndefined();
    expect(headKeepAliveDispatcher({ process: { versions: { bun: '1.2.0' } }, [GLOBAL_DISPATCHER]: dispatcher })).toBeUndefined();
    expect(
      headKeepAliveDispatcher({ process: { versions: { undici: '8.0.0' } }, [GLOBAL_DISPATCHER]: dispatcher }),
    ).toBeUndefined();
    expect(headKeepAliveDispatcher({ process: { versions: { undici: '6.21.0' } } })).toBeUndefined();
  });

  it('forwards HEADs with reset: false to the runtime it was asked about', () => {
    const platform = fakeDispatcher();
    const runtime = { process: { versions: { undici: '6.21.0' } }, [GLOBAL_DISPATCHER]: platform };
    const dispatcher = headKeepAliveDispatcher(runtime);
    dispatcher?.dispatch({ method: 'HEAD' }, {});
    dispatcher?.dispatch({ method: 'GET' }, {});
    expect(platform.calls).toEqual([
      { method: 'HEAD', reset: false },
      { method: 'GET', reset: undefined },
    ]);
  });

  it('sends a HEAD through the global fetch as standard when process.versions has no undici', async () => {
    const inits: (RequestInit & { dispatcher?: unknown })[] = [];
    vi.stubGlobal('fetch', async (_input: string, init: RequestInit) => {
      inits.push(init);
      return new Response(null, { status: 200 });
    });
    const transport = createFetchTransport();
    const original = Object.getOwnPropertyDescriptor(process.versions, 'undici');
    Object.defineProperty(process.versions, 'undici', { value: undefined, configurable: true });
    try {
      const response = await transport.send(request('HEAD'));
      expect(response.status).toBe(200);
      expect(response.body).toBeNull();
    } finally {
      if (original) Object.defineProperty(process.versions, 'undici', original);
    }
    await transport.send(request('HEAD'));
    expect(inits[0]).not.toHaveProperty('dispatcher');
    // The same transport takes the Node.js path again once undici is there: detection is per request.
    expect(inits[1]?.dispatcher).toBeDefined();
  });
});

describe('createFetchTransport: the Node.js keep-alive path is loaded only where it applies', () => {
  const dispatcher = { dispatch: () => true };
  const node = { getBuiltinModule: () => undefined, versions: { undici: '6.21.0' } };

  it('asks nothing of a runtime without process.getBuiltinModule or without the global dispatcher', async () => {
    expect(await nodeHeadDispatcher({})).toBeUndefined();
    // A Node.js-like process without getBuiltinModule (an older or emulated runtime).
    expect(await nodeHeadDispatcher({ process: { versions: node.versions }, [GLOBAL_DISPATCHER]: dispatcher })).toBeUndefined();
    // Node.js before its first fetch: no global dispatcher yet.
    expect(await nodeHeadDispatcher({ process: node })).toBeUndefined();
    expect(await nodeHeadDispatcher({ process: node, [GLOBAL_DISPATCHER]: undefined })).toBeUndefined();
    expect(await nodeHeadDispatcher({ process: node, [GLOBAL_DISPATCHER]: dispatcher })).toBeDefined();
  });

  it('sends a HEAD as standard, without loading it, when the global dispatcher symbol is unset', async () => {
    await send(createFetchTransport(), 'GET'); // Node's fetch has now installed its dispatcher…
    const platform = globals[GLOBAL_DISPATCHER];
    // …and here it is unset, as where fetch is not undici. Node defines it non-configurable, so it is
    // unset rather than deleted, and Node's own fetch cannot run without it: a runtime's fetch stands in.
    globals[GLOBAL_DISPATCHER] = undefined;
    const inits: (RequestInit & { dispatcher?: unknown })[] = [];
    vi.stubGlobal('fetch', async (_input: string, init: RequestInit) => {
      inits.push(init);
      return new Response(null, { status: 200, headers: { 'docker-content-digest': 'sha256:aa' } });
    });
    try {
      const response = await createFetchTransport().send(request('HEAD'));
      expect(response.status).toBe(200);
      expect(response.headers['docker-content-digest']).toBe('sha256:aa');
      expect(response.body).toBeNull();
      expect(inits[0]).not.toHaveProperty('dispatcher');
    } finally {
      globals[GLOBAL_DISPATCHER] = platform;
    }
  });
});
