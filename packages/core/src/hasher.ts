import type { DigestAlgorithm } from './digest';

/** Incremental content hash producing an OCI digest string (`sha256:<hex>`). */
export interface Hasher {
  /** Feeds the next chunk. */
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
 * `process.getBuiltinModule`; its streaming hash keeps blob verification at
 * constant memory and native speed. Browsers lack it and fall back to
 * WebCrypto, which can only hash a whole buffer.
 */
function loadNodeCrypto(): NodeCrypto | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    return proc?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined;
  } catch {
    return undefined;
  }
}

const nodeCrypto = loadNodeCrypto();

const WEB_CRYPTO_NAMES: Record<DigestAlgorithm, string> = {
  sha256: 'SHA-256',
  sha384: 'SHA-384',
  sha512: 'SHA-512',
};

function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
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

class BufferingWebHasher implements Hasher {
  readonly #chunks: Uint8Array[] = [];
  #length = 0;
  readonly #algorithm: DigestAlgorithm;

  constructor(algorithm: DigestAlgorithm) {
    this.#algorithm = algorithm;
  }

  update(chunk: Uint8Array): void {
    this.#chunks.push(chunk);
    this.#length += chunk.byteLength;
  }

  async digest(): Promise<string> {
    const all = new Uint8Array(this.#length);
    let offset = 0;
    for (const chunk of this.#chunks) {
      all.set(chunk, offset);
      offset += chunk.byteLength;
    }
    const hash = await globalThis.crypto.subtle.digest(WEB_CRYPTO_NAMES[this.#algorithm], all);
    return `${this.#algorithm}:${toHex(new Uint8Array(hash))}`;
  }
}

/** Creates an incremental hasher for a registered digest algorithm. */
export function createHasher(algorithm: DigestAlgorithm): Hasher {
  return nodeCrypto ? new NodeHasher(nodeCrypto, algorithm) : new BufferingWebHasher(algorithm);
}

/** Digest of a whole buffer, e.g. a manifest as received. */
export async function digestOf(bytes: Uint8Array, algorithm: DigestAlgorithm = 'sha256'): Promise<string> {
  const hasher = createHasher(algorithm);
  hasher.update(bytes);
  return hasher.digest();
}
