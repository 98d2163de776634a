import { createHash, type KeyObject, sign } from 'node:crypto';

/** One `access` entry of a Docker registry token. */
export interface TokenAccess {
  /** Resource type, e.g. `repository` or `registry`. */
  readonly type: string;
  /** Resource name, e.g. `library/golang` or `catalog`. */
  readonly name: string;
  /** Granted actions, e.g. `["pull", "push"]`. */
  readonly actions: readonly string[];
}

/** The claim set distribution 2.8 reads from a token (protocol.md §2.7). */
export interface RegistryTokenClaims {
  readonly iss: string;
  readonly sub: string;
  /** Must be a JSON string: 2.8.2 rejects an array. */
  readonly aud: string;
  readonly exp: number;
  readonly nbf: number;
  readonly iat: number;
  readonly jti: string;
  readonly access: readonly TokenAccess[];
}

/** The JOSE header; exactly one key hint is set. */
export type RegistryTokenHeader =
  | { readonly typ: 'JWT'; readonly alg: 'RS256'; readonly x5c: readonly string[] }
  | { readonly typ: 'JWT'; readonly alg: 'RS256'; readonly kid: string };

/** Base64url without padding (RFC 7515 §2). */
export function base64UrlEncode(bytes: Uint8Array | string): string {
  return Buffer.from(typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes).toString('base64url');
}

/** Signs a compact JWS with RS256 (RSASSA-PKCS1-v1_5 over SHA-256). */
export function signJwt(header: RegistryTokenHeader, claims: RegistryTokenClaims, privateKey: KeyObject): string {
  const signingInput = `${base64UrlEncode(JSON.stringify(header))}.${base64UrlEncode(JSON.stringify(claims))}`;
  const signature = sign('sha256', Buffer.from(signingInput, 'ascii'), privateKey);
  return `${signingInput}.${base64UrlEncode(signature)}`;
}

/** A compact JWS split into its decoded parts. */
export interface DecodedJwt {
  readonly header: Record<string, unknown>;
  readonly claims: Record<string, unknown>;
  /** `<header>.<payload>`, the bytes the signature covers. */
  readonly signingInput: string;
  readonly signature: Uint8Array;
}

/** Splits and decodes a compact JWS without verifying it. Throws on malformed input. */
export function decodeJwt(token: string): DecodedJwt {
  const parts = token.split('.');
  if (parts.length !== 3) throw new TypeError('a JWT has three dot-separated parts');
  const [header = '', payload = '', signature = ''] = parts;
  const parse = (part: string, what: string): Record<string, unknown> => {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new TypeError(`JWT ${what} is not a JSON object`);
    return value as Record<string, unknown>;
  };
  return {
    header: parse(header, 'header'),
    claims: parse(payload, 'payload'),
    signingInput: `${header}.${payload}`,
    signature: new Uint8Array(Buffer.from(signature, 'base64url')),
  };
}

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * The libtrust key id the registry matches a JWT `kid` against: SHA-256 of
 * the SPKI DER, first 240 bits, RFC 4648 base32 (48 characters, no padding
 * needed), in 12 colon-separated groups of 4.
 */
export function libtrustKeyId(publicKey: KeyObject): string {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const hash = createHash('sha256').update(spki).digest().subarray(0, 30);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of hash) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out.match(/.{4}/g)?.join(':') ?? out;
}
