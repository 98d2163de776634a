import { RegkitError } from './regkit-error';

/** Where an expected digest came from. */
export type DigestSource = 'request' | 'header' | 'descriptor';

/** Content does not hash to the digest it must have. Nothing unverified is returned. */
export class DigestMismatchError extends RegkitError {
  static override readonly kind: string = 'DigestMismatchError';
  /** The digest the content had to match. */
  readonly expected: string;
  /** The digest computed from the bytes received. */
  readonly actual: string;
  /** Which claim was contradicted: the requested digest, `Docker-Content-Digest`, or a descriptor. */
  readonly source: DigestSource;

  constructor(expected: string, actual: string, source: DigestSource, what: string) {
    super(`${what}: expected ${source} digest ${expected}, but the content hashes to ${actual}`);
    this.expected = expected;
    this.actual = actual;
    this.source = source;
  }
}

/** A body exceeded the size cap set for it. Reading stopped at the cap. */
export class BodyTooLargeError extends RegkitError {
  static override readonly kind: string = 'BodyTooLargeError';
  /** The cap in bytes. */
  readonly limit: number;

  constructor(what: string, limit: number) {
    super(`${what} is larger than the limit of ${limit} bytes`);
    this.limit = limit;
  }
}

/** A Docker schema 1 manifest was returned; regkit reads schema 2 and OCI only. */
export class SchemaV1NotSupportedError extends RegkitError {
  static override readonly kind: string = 'SchemaV1NotSupportedError';
  /** The schema 1 media type received. */
  readonly mediaType: string;

  constructor(mediaType: string) {
    super(`Docker schema 1 manifests are not supported (received ${mediaType})`);
    this.mediaType = mediaType;
  }
}

/** The registry returned a manifest of a media type regkit does not know. */
export class SchemaUnknownError extends RegkitError {
  static override readonly kind: string = 'SchemaUnknownError';
  /** The media type received (empty when the registry sent none). */
  readonly mediaType: string;

  constructor(mediaType: string) {
    super(`unknown manifest media type ${JSON.stringify(mediaType)}`);
    this.mediaType = mediaType;
  }
}

/** A manifest or config is not valid JSON of the shape its media type requires. */
export class InvalidManifestError extends RegkitError {
  static override readonly kind: string = 'InvalidManifestError';
}

/** The registry broke the protocol in a way that makes its answer unusable (e.g. a malformed `Docker-Content-Digest`). */
export class RegistryProtocolError extends RegkitError {
  static override readonly kind: string = 'RegistryProtocolError';
}
