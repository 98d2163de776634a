import { RegkitError } from './regkit-error';
import { RegistryResponseError, type ResponseErrorInit } from './response-errors';

function initOf(error: RegistryResponseError): ResponseErrorInit {
  return {
    status: error.status,
    request: error.request,
    errors: error.errors,
    ...(error.bodyText !== undefined && { bodyText: error.bodyText }),
    ...(error.retryAfterMs !== undefined && { retryAfterMs: error.retryAfterMs }),
    ...(error.rateLimit !== undefined && { rateLimit: error.rateLimit }),
  };
}

function detailDigest(error: RegistryResponseError, code: string): string | undefined {
  const detail = error.errors.find((entry) => entry.code === code)?.detail;
  if (typeof detail === 'string') return detail;
  if (typeof detail === 'object' && detail !== null) {
    const value = (detail as Record<string, unknown>).digest ?? (detail as Record<string, unknown>).Digest;
    if (typeof value === 'string') return value;
  }
  return undefined;
}

/**
 * A manifest PUT was refused because the manifest references a blob or child
 * manifest the repository does not hold (`MANIFEST_BLOB_UNKNOWN`). Upload or
 * mount the missing content first.
 */
export class ManifestBlobUnknownError extends RegistryResponseError {
  static override readonly kind: string = 'ManifestBlobUnknownError';
  /** The missing digest, when the registry named it (distribution does, in `detail`). */
  readonly digest: string | undefined;

  /** @internal Built by core from the registry's answer. */
  constructor(init: ResponseErrorInit, digest: string | undefined, message?: string) {
    super(init, message);
    this.digest = digest;
  }

  /** @internal Rewraps a registry error whose body carries `MANIFEST_BLOB_UNKNOWN`. */
  static fromResponseError(error: RegistryResponseError): ManifestBlobUnknownError {
    const digest = detailDigest(error, 'MANIFEST_BLOB_UNKNOWN');
    const result = new ManifestBlobUnknownError(
      initOf(error),
      digest,
      `${error.message}: the manifest references ${digest ?? 'content'} that the repository does not hold`,
    );
    return result;
  }
}

/**
 * The registry forgot an upload session (`BLOB_UPLOAD_UNKNOWN` or
 * `BLOB_UPLOAD_INVALID`, e.g. after a restart or an expired session) and the
 * content cannot be read again from the start (a stream). Nothing was
 * committed; start the upload again with fresh content.
 */
export class UploadSessionLostError extends RegkitError {
  static override readonly kind: string = 'UploadSessionLostError';
  /** Bytes the registry had acknowledged before it lost the session. */
  readonly acknowledgedBytes: number;

  /** @internal Built by core's uploader. */
  constructor(what: string, acknowledgedBytes: number, options?: ErrorOptions) {
    super(
      `${what}: the registry lost the upload session after ${acknowledgedBytes} bytes, and a streamed body cannot be read again; upload it again`,
      options,
    );
    this.acknowledgedBytes = acknowledgedBytes;
  }
}
