import { RegkitError } from './regkit-error';

/**
 * The registry refuses to delete a tag (`DELETE /manifests/<tag>`):
 * distribution 2.8 answers 400 `DIGEST_INVALID`. Deleting the manifest by
 * digest would remove every other tag of the image too; `tags().delete(tag,
 * { fallback: true })` instead points the tag at a new, unique empty manifest
 * and deletes that one.
 */
export class TagDeleteUnsupportedError extends RegkitError {
  static override readonly kind: string = 'TagDeleteUnsupportedError';
  /** The tag that was not deleted. */
  readonly tag: string;

  constructor(repository: string, tag: string, options?: ErrorOptions) {
    super(
      `${repository}: the registry does not delete tags (DELETE of tag ${JSON.stringify(tag)} was refused); ` +
        'pass { fallback: true } to tags().delete() to re-point the tag at a unique empty manifest and delete that, ' +
        'which keeps the image and its other tags',
      options,
    );
    this.tag = tag;
  }
}

/**
 * The referrers fallback tag (`sha256-<hex>`) could not be updated: other
 * writers kept replacing it, or it holds something that is not an OCI index.
 */
export class ReferrersIndexError extends RegkitError {
  static override readonly kind: string = 'ReferrersIndexError';
  /** The fallback tag, e.g. `sha256-<hex>`. */
  readonly tag: string;

  constructor(repository: string, tag: string, problem: string, options?: ErrorOptions) {
    super(`${repository}: could not update the referrers fallback tag ${tag}: ${problem}`, options);
    this.tag = tag;
  }
}
