import { RegkitError } from './regkit-error';

/**
 * Why a reference was rejected. The values mirror `distribution/reference`'s
 * errors so that behaviour can be compared with the Go implementation, except
 * `REPOSITORY_HAS_TAG_OR_DIGEST`, which is regkit's own.
 */
export type InvalidReferenceReason =
  | 'NAME_EMPTY'
  | 'REFERENCE_INVALID_FORMAT'
  | 'NAME_CONTAINS_UPPERCASE'
  | 'NAME_TOO_LONG'
  | 'NAME_NOT_CANONICAL'
  | 'NAME_IS_IDENTIFIER'
  | 'TAG_INVALID_FORMAT'
  | 'DIGEST_INVALID_FORMAT'
  | 'DIGEST_INVALID_LENGTH'
  | 'DIGEST_UNSUPPORTED'
  /** regkit's own: a repository was asked for with a tag or digest (`registry.image()` takes those). */
  | 'REPOSITORY_HAS_TAG_OR_DIGEST';

/** Longest input quoted whole in a message; `input` always holds all of it. */
const MAX_QUOTED_INPUT = 256;

/** The input as a JSON string, cut after {@link MAX_QUOTED_INPUT} characters so a huge one cannot flood logs. */
function quoteInput(input: string): string {
  // Plain-JS callers hand over numbers, objects, undefined: name those as JSON does, or as String does.
  if (typeof input !== 'string') return JSON.stringify(input) ?? String(input);
  if (input.length <= MAX_QUOTED_INPUT) return JSON.stringify(input);
  return `${JSON.stringify(input.slice(0, MAX_QUOTED_INPUT))}… (${input.length} characters)`;
}

/** An image reference, repository name, tag or digest is malformed. */
export class InvalidReferenceError extends RegkitError {
  static override readonly kind: string = 'InvalidReferenceError';
  /** The input that was rejected. */
  readonly input: string;
  /** A stable reason code. */
  readonly reason: InvalidReferenceReason;

  constructor(input: string, reason: InvalidReferenceReason, detail: string) {
    super(`invalid reference ${quoteInput(input)}: ${detail}`);
    this.input = input;
    this.reason = reason;
  }
}

/** A reference names a different registry than the one it was given to. */
export class RegistryMismatchError extends RegkitError {
  static override readonly kind: string = 'RegistryMismatchError';
  /** The registry's domain. */
  readonly expected: string;
  /** The domain the reference names. */
  readonly actual: string;

  constructor(input: string, expected: string, actual: string) {
    super(`reference ${JSON.stringify(input)} names registry ${actual}, but this client is for ${expected}`);
    this.expected = expected;
    this.actual = actual;
  }
}
