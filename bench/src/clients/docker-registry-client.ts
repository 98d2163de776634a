import { promisify } from 'node:util';
import drc from 'docker-registry-client';
import { type BenchClient, type ClientSession, mapLimited, type SessionTarget } from './client';

/**
 * `docker-registry-client` 3.4 (Triton, formerly joyent): one callback client
 * per repository over restify. It logs in first (a `/v2/` ping, then a
 * token), keeps the token, has no manifest HEAD, and verifies blob streams
 * against `Docker-Content-Digest`.
 */
export const dockerRegistryClient: BenchClient = {
  id: 'docker-registry-client',
  unsupported: {},
  notes: {
    T1: 'logs in first: GET /v2/ before the manifest',
    T2: 'one page only (no pagination); 2.8 sends every tag in one page',
    T3: 'no manifest HEAD: getManifest (GET), digest from the Docker-Content-Digest header; concurrent first calls each log in',
    T5: 'no manifest HEAD: getManifest (GET), digest from the Docker-Content-Digest header; concurrent first calls each log in',
  },
  open: async (target) => new DrcSession(target),
};

/** A silent bunyan-shaped logger: the client logs through bunyan and would otherwise print. */
const silentLogger = {
  child: () => silentLogger,
  trace: () => false,
  debug: () => false,
  info: () => false,
  warn: () => false,
  error: () => false,
  fatal: () => false,
};

class DrcSession implements ClientSession {
  readonly #clients = new Map<string, drc.RegistryClientV2>();

  constructor(private readonly target: SessionTarget) {}

  #client(repository: string): drc.RegistryClientV2 {
    let client = this.#clients.get(repository);
    if (client === undefined) {
      client = drc.createClientV2({
        name: `${this.target.host}/${repository}`,
        scheme: 'http',
        acceptManifestLists: true,
        maxSchemaVersion: 2,
        log: silentLogger,
      });
      this.#clients.set(repository, client);
    }
    return client;
  }

  async getByTag(repository: string, tag: string) {
    const { manifest, manifestString } = await this.#getManifest(repository, tag);
    const platforms = Array.isArray(manifest.manifests) ? manifest.manifests.length : 1;
    return { digest: drc.digestFromManifestStr(manifestString), platforms };
  }

  async listTags(repository: string) {
    const client = this.#client(repository);
    const listTags = promisify((callback: (error: Error | null, body: { tags: string[] }) => void) => client.listTags(callback));
    return (await listTags()).tags;
  }

  resolveMany(repository: string, references: readonly string[], concurrency: number) {
    return mapLimited(references, concurrency, async (reference) => {
      const { response } = await this.#getManifest(repository, reference);
      const digest = response.headers['docker-content-digest'];
      if (typeof digest !== 'string') throw new Error(`no Docker-Content-Digest for ${reference}`);
      return digest;
    });
  }

  downloadBlob(repository: string, digest: string) {
    const client = this.#client(repository);
    return new Promise<number>((resolve, reject) => {
      client.createBlobReadStream({ digest }, (error, stream) => {
        if (error) return reject(error);
        let received = 0;
        // The client hashes the stream and emits "error" from its own "end"
        // listener (registered first) when the digest does not match.
        stream.on('data', (chunk: Buffer) => {
          received += chunk.byteLength;
        });
        stream.once('error', reject);
        stream.once('end', () => resolve(received));
        // The client pauses responses before handing them over; reading starts on resume().
        stream.resume();
      });
    });
  }

  async close() {
    for (const client of this.#clients.values()) client.close();
    this.#clients.clear();
  }

  #getManifest(repository: string, reference: string) {
    const client = this.#client(repository);
    return new Promise<{
      manifest: Record<string, unknown>;
      response: import('node:http').IncomingMessage;
      manifestString: string;
    }>((resolve, reject) => {
      client.getManifest(
        { ref: reference, acceptManifestLists: true, maxSchemaVersion: 2 },
        (error, manifest, response, manifestString) => {
          if (error) reject(error);
          else resolve({ manifest, response, manifestString });
        },
      );
    });
  }
}
