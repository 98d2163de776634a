import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

/** An incremental SHA-256. */
export interface Sha256 {
  update(data: Uint8Array | string): Sha256;
  digest(): Uint8Array;
}

interface NodeCrypto {
  createHash(algorithm: 'sha256'): { update(data: Uint8Array | string): unknown; digest(): Uint8Array };
}

/**
 * The fake registry runs in browsers and workers too (behind the handler
 * transport), so it imports no `node:crypto`: where the runtime offers it
 * (Node, Deno, Bun) it is looked up at run time for speed on big generated
 * blobs, and elsewhere the bundled `@noble/hashes` does the same work.
 */
const nodeCrypto = ((): NodeCrypto | undefined => {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    const crypto = proc?.getBuiltinModule?.('node:crypto') as Partial<NodeCrypto> | undefined;
    return typeof crypto?.createHash === 'function' ? (crypto as NodeCrypto) : undefined;
  } catch {
    return undefined;
  }
})();

const encoder = new TextEncoder();

function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? encoder.encode(data) : data;
}

/** A fresh incremental SHA-256: `node:crypto`'s where available, else a pure-JS one. */
export function createSha256(): Sha256 {
  if (nodeCrypto !== undefined) {
    const hash = nodeCrypto.createHash('sha256');
    const wrapper: Sha256 = {
      update(data) {
        hash.update(data);
        return wrapper;
      },
      digest: () => new Uint8Array(hash.digest()),
    };
    return wrapper;
  }
  const hash = sha256.create();
  const wrapper: Sha256 = {
    update(data) {
      hash.update(toBytes(data));
      return wrapper;
    },
    digest: () => hash.digest(),
  };
  return wrapper;
}

/** Lower-case hex SHA-256 of `data` (strings as UTF-8). */
export function sha256Hex(data: Uint8Array | string): string {
  return bytesToHex(createSha256().update(data).digest());
}

/** Lower-case hex HMAC-SHA-256; for short messages such as signed URLs. */
export function hmacSha256Hex(key: Uint8Array, message: string): string {
  return bytesToHex(hmac(sha256, key, encoder.encode(message)));
}

/** `length` bytes from the platform's CSPRNG (`crypto.getRandomValues`, global everywhere regkit runs). */
export function randomBytes(length: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(length));
}

/** True when `a` and `b` hold the same bytes; the time taken does not depend on where they differ. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= (a[i] as number) ^ (b[i] as number);
  return difference === 0;
}
