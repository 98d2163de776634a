import { parseDigest } from './digest';
import { DigestMismatchError, RegistryProtocolError } from './errors';
import { digestOf } from './hasher';

/** Any sha256 digest: `actualFor` only reads its algorithm. */
const SHA256_PLACEHOLDER = `sha256:${'0'.repeat(64)}`;

/**
 * Checks bytes against every digest claim made about them: the digest the
 * caller asked for and the registry's `Docker-Content-Digest`. Returns the
 * digest the content is known by (the requested one, else the header's,
 * else its sha256).
 */
export async function verifyContentDigest(
  bytes: Uint8Array,
  claims: { readonly requested?: string | undefined; readonly header?: string | undefined },
  what: string,
): Promise<string> {
  const computed = new Map<string, string>();
  const actualFor = async (digest: string): Promise<string> => {
    const { algorithm } = parseDigest(digest);
    let actual = computed.get(algorithm);
    if (actual === undefined) {
      actual = await digestOf(bytes, algorithm);
      computed.set(algorithm, actual);
    }
    return actual;
  };
  if (claims.requested !== undefined) {
    const actual = await actualFor(claims.requested);
    if (actual !== claims.requested) throw new DigestMismatchError(claims.requested, actual, 'request', what);
  }
  if (claims.header !== undefined && claims.header !== '') {
    let actual: string;
    try {
      actual = await actualFor(claims.header);
    } catch (error) {
      throw new RegistryProtocolError(`${what}: the registry sent an invalid Docker-Content-Digest`, { cause: error });
    }
    if (actual !== claims.header) throw new DigestMismatchError(claims.header, actual, 'header', what);
  }
  if (claims.requested !== undefined) return claims.requested;
  if (claims.header !== undefined && claims.header !== '') return claims.header;
  return actualFor(SHA256_PLACEHOLDER);
}
