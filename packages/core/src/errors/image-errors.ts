import { RegkitError } from './regkit-error';

/** An image has no entry for the platform asked for. */
export class PlatformNotFoundError extends RegkitError {
  static override readonly kind: string = 'PlatformNotFoundError';
  /** The platform asked for, as given. */
  readonly platform: string;
  /** The platforms the image has, `os/architecture[/variant]`. */
  readonly available: readonly string[];

  constructor(what: string, platform: string, available: readonly string[]) {
    super(`${what} has no platform ${platform}; it has ${available.length === 0 ? 'none' : available.join(', ')}`);
    this.platform = platform;
    this.available = available;
  }
}

/** A reference named a tag and a digest (`app:1.0@sha256:…`), and the tag points elsewhere. */
export class TagDigestMismatchError extends RegkitError {
  static override readonly kind: string = 'TagDigestMismatchError';
  /** The tag of the reference. */
  readonly tag: string;
  /** The digest of the reference. */
  readonly expected: string;
  /** The digest the tag resolves to now. */
  readonly actual: string;

  constructor(reference: string, tag: string, expected: string, actual: string) {
    super(
      `${reference}: tag ${JSON.stringify(tag)} now points at ${actual}, not at the digest the reference names (${expected}); ` +
        'read by the digest alone to get that content',
    );
    this.tag = tag;
    this.expected = expected;
    this.actual = actual;
  }
}

/** An image operation met an artifact (a Helm chart, a signature, an SBOM): it has no image config. */
export class NotAnImageError extends RegkitError {
  static override readonly kind: string = 'NotAnImageError';
  /** The artifact's type (its `artifactType`, else its config media type). */
  readonly artifactType: string;

  constructor(what: string, artifactType: string) {
    super(`${what} is an artifact of type ${artifactType}, not a container image; it has no image config`);
    this.artifactType = artifactType;
  }
}
