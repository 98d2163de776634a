import { InvalidReferenceError } from './errors/reference-errors';
import { inputText } from './input-text';

/**
 * Digest algorithms regkit can verify. `sha256` and `sha512` are the OCI
 * registered ones; `sha384` is accepted too, as go-digest does.
 */
export type DigestAlgorithm = 'sha256' | 'sha384' | 'sha512';

/** A digest string split into its parts, e.g. `sha256` and 64 hex characters. */
export interface ParsedDigest {
  /** The hash algorithm. */
  readonly algorithm: DigestAlgorithm;
  /** The lower-case hex encoding of the hash. */
  readonly encoded: string;
}

/** Hex length of each algorithm's encoding: twice its output size in bytes. */
const HEX_LENGTH: Readonly<Record<DigestAlgorithm, number>> = { sha256: 64, sha384: 96, sha512: 128 };

const LOWER_HEX = /^[a-f0-9]+$/;

/**
 * The general OCI digest grammar. An algorithm we do not know but that is
 * spelled this way is "unsupported" rather than "malformed", so callers can
 * tell a future algorithm from garbage.
 */
const WELL_FORMED_DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

// go-digest's messages, kept verbatim so failures compare with Go clients.
const FORMAT_MESSAGE = 'invalid checksum digest format';
const LENGTH_MESSAGE = 'invalid checksum digest length';
const UNSUPPORTED_MESSAGE = 'unsupported digest algorithm';

/**
 * True when `algorithm` is one regkit can verify.
 *
 * @example
 * ```ts
 * isDigestAlgorithm('sha512'); // true
 * isDigestAlgorithm('md5');    // false
 * ```
 */
export function isDigestAlgorithm(algorithm: string): algorithm is DigestAlgorithm {
  return Object.hasOwn(HEX_LENGTH, algorithm);
}

/** Why {@link checkDigest} refused a digest. @internal */
export interface DigestFailure {
  readonly reason: 'DIGEST_INVALID_FORMAT' | 'DIGEST_INVALID_LENGTH' | 'DIGEST_UNSUPPORTED';
  readonly detail: string;
}

const INVALID_FORMAT: DigestFailure = { reason: 'DIGEST_INVALID_FORMAT', detail: FORMAT_MESSAGE };
const INVALID_LENGTH: DigestFailure = { reason: 'DIGEST_INVALID_LENGTH', detail: LENGTH_MESSAGE };
const UNSUPPORTED: DigestFailure = { reason: 'DIGEST_UNSUPPORTED', detail: UNSUPPORTED_MESSAGE };

/**
 * Validation without throwing, shared by the parse, test and assert forms and
 * by reference parsing, which reports failures against the whole reference.
 *
 * @internal
 */
export function checkDigest(input: unknown): ParsedDigest | DigestFailure {
  // Plain-JS callers can pass anything; that is a malformed digest, not a
  // crash on `indexOf`.
  if (typeof input !== 'string') return INVALID_FORMAT;
  const colon = input.indexOf(':');
  if (colon <= 0 || colon === input.length - 1) return INVALID_FORMAT;
  const algorithm = input.slice(0, colon);
  const encoded = input.slice(colon + 1);
  if (!isDigestAlgorithm(algorithm)) return WELL_FORMED_DIGEST.test(input) ? UNSUPPORTED : INVALID_FORMAT;
  // Length is checked before content, as go-digest does, so the reason code
  // matches Go for inputs that are wrong in both ways.
  if (encoded.length !== HEX_LENGTH[algorithm]) return INVALID_LENGTH;
  if (!LOWER_HEX.test(encoded)) return INVALID_FORMAT;
  return { algorithm, encoded };
}

/**
 * Splits and validates a digest string such as `sha256:<64 hex>`, with the
 * rules of go-digest (the OCI image-spec grammar plus per-algorithm length):
 * the encoded part must be lower-case hex of exactly 64 (sha256), 96 (sha384)
 * or 128 (sha512) characters.
 *
 * @throws {InvalidReferenceError} `DIGEST_INVALID_FORMAT` when there is no
 *   algorithm or no encoded part, or the hex is not lower-case hex;
 *   `DIGEST_INVALID_LENGTH` when the hex has the wrong length;
 *   `DIGEST_UNSUPPORTED` for a well-formed digest of an unknown algorithm.
 *
 * @example
 * ```ts
 * const { algorithm, encoded } = parseDigest('sha256:' + 'a'.repeat(64));
 * parseDigest('md5:d41d8cd98f00b204e9800998ecf8427e'); // throws DIGEST_UNSUPPORTED
 * ```
 */
export function parseDigest(input: string): ParsedDigest {
  const result = checkDigest(input);
  if ('reason' in result) throw new InvalidReferenceError(inputText(input), result.reason, result.detail);
  return result;
}

/**
 * True when `input` is a digest string that {@link parseDigest} accepts.
 *
 * @example
 * ```ts
 * isDigest('sha256:' + 'a'.repeat(64)); // true
 * isDigest('sha256:ABC');               // false
 * ```
 */
export function isDigest(input: unknown): boolean {
  return !('reason' in checkDigest(input));
}

/**
 * Throws unless `input` is a valid digest; `what` names the value in the
 * error message (for example `'manifest digest'`), so a caller can tell which
 * argument was wrong.
 *
 * @throws {InvalidReferenceError} with the same reasons as {@link parseDigest}.
 *
 * @example
 * ```ts
 * assertDigest(options.digest, 'blob digest');
 * ```
 */
export function assertDigest(input: string, what = 'digest'): void {
  const result = checkDigest(input);
  if ('reason' in result) throw new InvalidReferenceError(inputText(input), result.reason, `${what}: ${result.detail}`);
}
