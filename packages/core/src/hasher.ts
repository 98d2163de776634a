import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { DigestAlgorithm } from './digest';

/** Incremental content hash producing an OCI digest string (`sha256:<hex>`). */
export interface Hasher {
  /** Feeds the next chunk. The hasher keeps no reference to it. */
  update(chunk: Uint8Array): void;
  /** Finishes and returns `<algorithm>:<lower-hex>`. Call once. */
  digest(): Promise<string>;
}

interface NodeHash {
  update(data: Uint8Array): unknown;
  digest(encoding: 'hex'): string;
}
interface NodeCrypto {
  createHash(algorithm: string): NodeHash;
}

/**
 * Node, Deno and Bun expose `node:crypto` synchronously through
 * `process.getBuiltinModule`; its native streaming hash is the fastest
 * choice there. Looking it up this way, rather than importing it, keeps
 * `node:*` out of the module graph, so browsers and bundlers never see it.
 */
function loadNodeCrypto(): NodeCrypto | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    const crypto = proc?.getBuiltinModule?.('node:crypto') as Partial<NodeCrypto> | undefined;
    return typeof crypto?.createHash === 'function' ? (crypto as NodeCrypto) : undefined;
  } catch {
    return undefined;
  }
}

// Looked up on the first hash, not at import: a program that never hashes (a HEAD-only command)
// does not load Node's crypto modules at start-up.
let nodeCrypto: NodeCrypto | null | undefined;

function platformCrypto(): NodeCrypto | undefined {
  if (nodeCrypto === undefined) nodeCrypto = loadNodeCrypto() ?? null;
  return nodeCrypto ?? undefined;
}

class NodeHasher implements Hasher {
  readonly #hash: NodeHash;
  readonly #algorithm: DigestAlgorithm;

  constructor(crypto: NodeCrypto, algorithm: DigestAlgorithm) {
    this.#hash = crypto.createHash(algorithm);
    this.#algorithm = algorithm;
  }

  update(chunk: Uint8Array): void {
    this.#hash.update(chunk);
  }

  async digest(): Promise<string> {
    return `${this.#algorithm}:${this.#hash.digest('hex')}`;
  }
}

/**
 * The audited pure-JS SHA-2 of `@noble/hashes`, bundled into core's dist so
 * core keeps zero runtime dependencies. WebCrypto cannot hash incrementally
 * (`subtle.digest` takes one whole buffer), so without `node:crypto`
 * (browsers, workers) this is what keeps blob verification at constant
 * memory: each chunk is folded into the state and dropped.
 */
const PORTABLE = { sha256, sha384, sha512 } as const;

class PortableHasher implements Hasher {
  readonly #hash: ReturnType<(typeof PORTABLE)[DigestAlgorithm]['create']>;
  readonly #algorithm: DigestAlgorithm;

  constructor(algorithm: DigestAlgorithm) {
    this.#hash = PORTABLE[algorithm].create();
    this.#algorithm = algorithm;
  }

  update(chunk: Uint8Array): void {
    this.#hash.update(chunk);
  }

  async digest(): Promise<string> {
    return `${this.#algorithm}:${bytesToHex(this.#hash.digest())}`;
  }
}

/**
 * The pure-JS hasher used where `node:crypto` is missing; exported so tests
 * can check it on Node too. @internal
 */
export function createPortableHasher(algorithm: DigestAlgorithm): Hasher {
  return new PortableHasher(algorithm);
}

/**
 * Creates an incremental hasher for a registered digest algorithm: native
 * `node:crypto` on Node, Deno and Bun, a bundled pure-JS SHA-2 elsewhere.
 * Memory stays constant in both, whatever is fed through it.
 *
 * @example
 * ```ts
 * const hasher = createHasher('sha256');
 * for await (const chunk of body) hasher.update(chunk);
 * await hasher.digest(); // 'sha256:…'
 * ```
 */
export function createHasher(algorithm: DigestAlgorithm): Hasher {
  const crypto = platformCrypto();
  return crypto ? new NodeHasher(crypto, algorithm) : new PortableHasher(algorithm);
}

/** Digest of a whole buffer, e.g. a manifest as received. */
export async function digestOf(bytes: Uint8Array, algorithm: DigestAlgorithm = 'sha256'): Promise<string> {
  const hasher = createHasher(algorithm);
  hasher.update(bytes);
  return hasher.digest();
}
