import { createHash } from 'node:crypto';
import { getLayer, getManifest, getTags } from '@snyk/docker-registry-v2-client';
import { type BenchClient, type ClientSession, mapLimited, type SessionTarget } from './client';

/**
 * `@snyk/docker-registry-v2-client`: stateless functions over needle. Every
 * call starts unauthenticated and, on a 401, fetches a token (there is no
 * token cache); there is no HEAD and no streaming `get`.
 */
export const snykClient: BenchClient = {
  id: 'snyk',
  unsupported: {},
  notes: {
    T1: 'getManifest picks one platform (linux/amd64) with a second GET and does not list platforms',
    T3: 'no HEAD API: getManifest (GET, body hashed); no token cache: 401 + token on every call',
    T4: 'getLayer buffers the whole blob and does not verify it; the bench hashes the buffer',
    T5: 'no HEAD API: getManifest (GET); no token cache: 401 + token on every call',
  },
  open: async (target) => new SnykSession(target),
};

class SnykSession implements ClientSession {
  readonly #base: string;
  readonly #options = { protocol: 'http:', timeout: 120_000 };

  constructor(target: SessionTarget) {
    this.#base = target.host;
  }

  async getByTag(repository: string, tag: string) {
    const manifest = await getManifest(this.#base, repository, tag, undefined, undefined, this.#options);
    const digest = manifest.indexDigest ?? manifest.manifestDigest;
    if (digest === undefined) throw new Error('getManifest returned no digest');
    return { digest, platforms: undefined };
  }

  listTags(repository: string) {
    return getTags(this.#base, repository, undefined, undefined, 1000, undefined, this.#options);
  }

  resolveMany(repository: string, references: readonly string[], concurrency: number) {
    return mapLimited(references, concurrency, async (reference) => {
      const manifest = await getManifest(this.#base, repository, reference, undefined, undefined, this.#options);
      if (manifest.manifestDigest === undefined) throw new Error(`no digest for ${reference}`);
      return manifest.manifestDigest;
    });
  }

  async downloadBlob(repository: string, digest: string) {
    const bytes = await getLayer(this.#base, repository, digest, undefined, undefined, this.#options);
    const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (actual !== digest) throw new Error(`blob digest ${actual} != ${digest}`);
    return bytes.byteLength;
  }

  async close() {}
}
