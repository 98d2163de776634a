/** An error code the fake registry can answer with (the codes distribution 2.8 registers). */
export type OciErrorCode =
  | 'BLOB_UNKNOWN'
  | 'BLOB_UPLOAD_INVALID'
  | 'BLOB_UPLOAD_UNKNOWN'
  | 'DIGEST_INVALID'
  | 'MANIFEST_BLOB_UNKNOWN'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_UNKNOWN'
  | 'MANIFEST_UNVERIFIED'
  | 'NAME_INVALID'
  | 'NAME_UNKNOWN'
  | 'PAGINATION_NUMBER_INVALID'
  | 'RANGE_INVALID'
  | 'SIZE_INVALID'
  | 'TAG_INVALID'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'UNSUPPORTED'
  | 'TOOMANYREQUESTS'
  | 'UNKNOWN'
  | 'UNAVAILABLE';

/** How distribution answers one error code. */
export interface ErrorCodeInfo {
  /** The HTTP status of an answer whose first error has this code. */
  readonly status: number;
  /** The fixed message; only `detail` varies per answer. */
  readonly message: string;
}

/**
 * The error codes distribution 2.8 registers, with the status and message it
 * answers for each (`registry/api/errcode` and `registry/api/v2/errors.go`).
 */
export const ERROR_CODES: Readonly<Record<OciErrorCode, ErrorCodeInfo>> = {
  BLOB_UNKNOWN: { status: 404, message: 'blob unknown to registry' },
  BLOB_UPLOAD_INVALID: { status: 404, message: 'blob upload invalid' },
  BLOB_UPLOAD_UNKNOWN: { status: 404, message: 'blob upload unknown to registry' },
  DIGEST_INVALID: { status: 400, message: 'provided digest did not match uploaded content' },
  MANIFEST_BLOB_UNKNOWN: { status: 400, message: 'blob unknown to registry' },
  MANIFEST_INVALID: { status: 400, message: 'manifest invalid' },
  MANIFEST_UNKNOWN: { status: 404, message: 'manifest unknown' },
  MANIFEST_UNVERIFIED: { status: 400, message: 'manifest failed signature verification' },
  NAME_INVALID: { status: 400, message: 'invalid repository name' },
  NAME_UNKNOWN: { status: 404, message: 'repository name not known to registry' },
  PAGINATION_NUMBER_INVALID: { status: 400, message: 'invalid number of results requested' },
  RANGE_INVALID: { status: 416, message: 'invalid content range' },
  SIZE_INVALID: { status: 400, message: 'provided length did not match content length' },
  TAG_INVALID: { status: 400, message: 'manifest tag did not match URI' },
  UNAUTHORIZED: { status: 401, message: 'authentication required' },
  DENIED: { status: 403, message: 'requested access to the resource is denied' },
  UNSUPPORTED: { status: 405, message: 'The operation is unsupported.' },
  TOOMANYREQUESTS: { status: 429, message: 'too many requests' },
  UNKNOWN: { status: 500, message: 'unknown error' },
  UNAVAILABLE: { status: 503, message: 'service unavailable' },
};

/** One entry of the OCI error envelope, as serialised. */
export interface OciErrorBody {
  readonly code: OciErrorCode;
  readonly message: string;
  readonly detail?: unknown;
}

/**
 * One error entry. `detail` is left out entirely when `undefined`, as Go's
 * `omitempty` does; pass `null` to send `"detail":null`.
 */
export function ociError(code: OciErrorCode, options: { message?: string; detail?: unknown } = {}): OciErrorBody {
  const entry: OciErrorBody = { code, message: options.message ?? ERROR_CODES[code].message };
  return options.detail === undefined ? entry : { ...entry, detail: options.detail };
}
