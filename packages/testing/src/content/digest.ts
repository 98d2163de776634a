import { sha256Hex } from '../portable-crypto';

/** The `sha256:<hex>` digest of exactly these bytes. */
export function sha256Digest(bytes: Uint8Array | string): string {
  return `sha256:${sha256Hex(bytes)}`;
}

/**
 * The digest grammar distribution's router accepts in a URL (go-digest
 * `DigestRegexp`): anything shaped `alg:encoded`, valid or not. Validation
 * comes after routing, which is why a malformed blob digest is a 400 and not
 * a router miss.
 */
export const ROUTABLE_DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

const HEX_LENGTHS: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

/** True when `value` is a digest go-digest's `Parse` accepts (known algorithm, right length, lower-case hex). */
export function isValidDigest(value: string): boolean {
  if (!ROUTABLE_DIGEST.test(value)) return false;
  const colon = value.indexOf(':');
  const length = HEX_LENGTHS[value.slice(0, colon)];
  const encoded = value.slice(colon + 1);
  return length !== undefined && encoded.length === length && /^[a-f0-9]+$/.test(encoded);
}
