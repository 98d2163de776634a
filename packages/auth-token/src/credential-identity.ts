import { createHasher } from '@regkit/core';

/** SHA-256 block size, and the length of the key below. */
const BLOCK = 64;

/**
 * A random key per process. Authenticators of one process with the same
 * credentials get the same identity, so they can share tokens through one
 * cache; a cache written elsewhere (another process, a dump of a shared
 * store) cannot be matched against guessed passwords offline.
 */
let processKey: Uint8Array | undefined;

/** Drawn on first use, so loading the package costs no random source (and no Web Crypto set-up). */
function getProcessKey(): Uint8Array {
  processKey ??= globalThis.crypto.getRandomValues(new Uint8Array(BLOCK));
  return processKey;
}

function hexToBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/**
 * HMAC-SHA256 (RFC 2104) with a key of exactly one block, as lower-case hex.
 * Built on core's hasher, so it runs where `node:crypto` is missing too.
 */
export async function hmacSha256(key: Uint8Array, text: string): Promise<string> {
  if (key.length !== BLOCK) throw new RangeError(`HMAC key must be ${BLOCK} bytes`);
  const xorKey = (pad: number) => key.map((byte) => byte ^ pad);
  const inner = createHasher('sha256');
  inner.update(xorKey(0x36));
  inner.update(new TextEncoder().encode(text));
  const innerDigest = hexToBytes((await inner.digest()).slice('sha256:'.length));
  const outer = createHasher('sha256');
  outer.update(xorKey(0x5c));
  outer.update(innerDigest);
  return (await outer.digest()).slice('sha256:'.length);
}

/** HMAC-SHA256 of `text` under the process key. */
export function keyedHash(text: string): Promise<string> {
  return hmacSha256(getProcessKey(), text);
}

/** The credential an authenticator presents to token services. */
export type CredentialSource =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'password'; readonly username: string; readonly password: string }
  | { readonly kind: 'refresh-token'; readonly refreshToken: string };

/**
 * Who a token was issued to, for cache keys: the username and a keyed hash
 * of the secret, never the secret. Two authenticators with one username and
 * different passwords get different identities.
 */
export async function credentialIdentity(source: CredentialSource): Promise<string> {
  switch (source.kind) {
    case 'anonymous':
      return 'anonymous';
    case 'password':
      return `user:${await keyedHash(JSON.stringify(['password', source.username, source.password]))}`;
    case 'refresh-token':
      return `refresh-token:${await keyedHash(JSON.stringify(['refresh-token', source.refreshToken]))}`;
  }
}
