import { createTokenAuthenticator } from '@regkit/auth-token';
import { createFetchTransport, Registry, type Transport } from '@regkit/core';
import { createNullAuthenticator } from '@regkit/core/spec';
import type { ClientId } from '../jobs';
import type { BenchClient, ClientSession, SessionTarget } from './client';

type TransportName = 'fetch' | 'undici' | 'axios';

/**
 * Loads the transport package lazily: a transport that does not build or
 * load fails only its own rows.
 */
async function transportFactory(name: TransportName): Promise<() => Transport> {
  if (name === 'fetch') return () => createFetchTransport();
  if (name === 'undici') {
    const { createUndiciTransport } = await import('@regkit/transport-undici');
    return () => createUndiciTransport();
  }
  const { createAxiosTransport } = await import('@regkit/transport-axios');
  return () => createAxiosTransport();
}

/**
 * The slot where Node's bundled undici keeps the dispatcher (connection pool)
 * that the global `fetch` uses when a call passes none. Node's fetch reads it
 * on every call, and so does core's fetch transport for the HEAD requests it
 * routes through the dispatcher itself.
 */
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

/** The part of undici's Dispatcher the session needs. */
interface PlatformDispatcher {
  close(): Promise<void>;
}

/**
 * Gives a fetch session a connection pool of its own, and returns what puts
 * the previous one back.
 *
 * Why: the platform's pool outlives a session, so without this every timed
 * iteration after the first would reuse the warm connections of the one
 * before, while every other client opens its connections cold; regkit-fetch
 * would save a TCP connect per iteration that a real one-shot job pays.
 *
 * The new pool is an instance of the platform dispatcher's own class (Node's
 * bundled undici `Agent`), not the npm `undici` package's `Agent`, so fetch
 * is measured over the pool implementation it really ships with. It goes in
 * by assignment to the global symbol (writable, not configurable) because
 * Node exports no `setGlobalDispatcher`, and importing npm undici's would
 * load a second undici into the worker.
 */
function useFreshFetchPool(): () => Promise<void> {
  const slot = globalThis as unknown as Record<symbol, PlatformDispatcher | undefined>;
  // Node creates its global dispatcher when it first loads its bundled undici,
  // which any of fetch's web classes does; before the first fetch it may not exist yet.
  if (slot[GLOBAL_DISPATCHER] === undefined) new Headers();
  const previous = slot[GLOBAL_DISPATCHER];
  if (previous === undefined) throw new Error(`Node installed no fetch dispatcher at ${String(GLOBAL_DISPATCHER)}`);
  const Platform = (Object.getPrototypeOf(previous) as { constructor: new () => PlatformDispatcher }).constructor;
  const fresh = new Platform();
  slot[GLOBAL_DISPATCHER] = fresh;
  return async () => {
    try {
      await fresh.close();
    } finally {
      slot[GLOBAL_DISPATCHER] = previous;
    }
  };
}

/** regkit's public API over one transport, as a user would call it. */
export async function regkitClient(name: TransportName): Promise<BenchClient> {
  const factory = await transportFactory(name);
  return {
    id: `regkit-${name}` as ClientId,
    unsupported: {},
    notes: {},
    open: async (target) => new RegkitSession(target, factory(), name === 'fetch' ? useFreshFetchPool() : undefined),
  };
}

class RegkitSession implements ClientSession {
  readonly #registry: Registry;

  constructor(
    target: SessionTarget,
    private readonly transport: Transport,
    /** Restores the platform's fetch pool (fetch transport only). */
    private readonly restorePool: (() => Promise<void>) | undefined,
  ) {
    this.#registry = new Registry({
      domain: target.host,
      transport,
      authenticator: target.mode === 'token' ? createTokenAuthenticator() : createNullAuthenticator(),
      // Generous: a loaded 2-core machine can be slow, and a timeout would only hide a result.
      timeoutMs: 120_000,
    });
  }

  async getByTag(repository: string, tag: string) {
    const image = await this.#registry.repository(repository).images().getByTag(tag);
    return { digest: image.digest, platforms: image.platforms.length };
  }

  listTags(repository: string) {
    return this.#registry.repository(repository).tags().getAll();
  }

  async resolveMany(repository: string, references: readonly string[], concurrency: number) {
    const outcomes = await this.#registry.repository(repository).images().resolveAll(references, { concurrency });
    return outcomes.map((outcome) => {
      if (!outcome.ok) throw outcome.error;
      if (outcome.value.method !== 'HEAD')
        throw new Error(`${outcome.reference} resolved with ${outcome.value.method}, not HEAD`);
      return outcome.value.digest;
    });
  }

  async downloadBlob(repository: string, digest: string) {
    const download = await this.#registry.repository(repository).blobs().get(digest);
    let received = 0;
    // The stream errors at its end if the bytes do not hash to the digest.
    const reader = download.body.getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) received += chunk.value.byteLength;
    return received;
  }

  async close() {
    try {
      await this.#registry.close();
      await this.transport.close?.();
    } finally {
      await this.restorePool?.();
    }
  }
}
