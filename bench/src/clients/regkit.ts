import { createTokenAuthenticator } from '@regkit/auth-token';
import { createFetchTransport, createNullAuthenticator, Registry, type Transport } from '@regkit/core';
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

/** regkit's public API over one transport, as a user would call it. */
export async function regkitClient(name: TransportName): Promise<BenchClient> {
  const factory = await transportFactory(name);
  return {
    id: `regkit-${name}` as ClientId,
    unsupported: {},
    notes: {},
    open: async (target) => new RegkitSession(target, factory()),
  };
}

class RegkitSession implements ClientSession {
  readonly #registry: Registry;

  constructor(
    target: SessionTarget,
    private readonly transport: Transport,
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
    await this.#registry.close();
    await this.transport.close?.();
  }
}
