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
  /** Issuer: must equal the registry's `auth.token.issuer`. */
  readonly iss: string;
  /** Subject: the user name, or `''` for anonymous tokens. */
  readonly sub: string;
  /** Must be a JSON string: 2.8.2 rejects an array. */
  readonly aud: string;
  /** Expiry, seconds since the epoch. */
  readonly exp: number;
  /** Not before, seconds since the epoch. */
  readonly nbf: number;
  /** Issued at, seconds since the epoch. */
  readonly iat: number;
  /** Unique token id. */
  readonly jti: string;
  /** What the token grants: one entry per resource. */
  readonly access: readonly TokenAccess[];
}

/** The JOSE header; exactly one key hint is set. */
export type RegistryTokenHeader = X5cTokenHeader | KidTokenHeader;

/** A header naming the signing key by its certificate chain. */
export interface X5cTokenHeader {
  /** Always `JWT`. */
  readonly typ: 'JWT';
  /** Always `RS256`. */
  readonly alg: 'RS256';
  /** Standard-base64 DER certificates, leaf first; must chain to the registry's `rootcertbundle`. */
  readonly x5c: readonly string[];
}

/** A header naming the signing key by its libtrust key id. */
export interface KidTokenHeader {
  /** Always `JWT`. */
  readonly typ: 'JWT';
  /** Always `RS256`. */
  readonly alg: 'RS256';
  /** The libtrust fingerprint of a root certificate's public key. */
  readonly kid: string;
}

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
  /** The JOSE header, decoded. */
  readonly header: Record<string, unknown>;
  /** The claims (payload), decoded. */
  readonly claims: Record<string, unknown>;
  /** `<header>.<payload>`, the bytes the signature covers. */
  readonly signingInput: string;
  /** The raw signature bytes. */
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
