export { ReferrersIndexError, TagDeleteUnsupportedError } from './artifact-errors';
export {
  AuthenticationError,
  AuthTokenInvalidError,
  AuthTokenNoBearerError,
  InsecureCredentialsError,
  TokenRequestError,
} from './auth-errors';
export {
  BodyTooLargeError,
  DigestMismatchError,
  type DigestSource,
  InvalidManifestError,
  RegistryProtocolError,
  SchemaUnknownError,
  SchemaV1NotSupportedError,
} from './content-errors';
export { NotAnImageError, PlatformNotFoundError, TagDigestMismatchError } from './image-errors';
export { InsufficientScopeError } from './insufficient-scope-error';
export { InvalidListingEntryError, type ListingLimitUnit, ListingTooLargeError } from './listing-errors';
export { NetworkError } from './network-errors';
export { InvalidOptionError } from './option-errors';
export { ManifestBlobUnknownError, UploadSessionLostError } from './push-errors';
export { InvalidReferenceError, type InvalidReferenceReason, RegistryMismatchError } from './reference-errors';
export { RegkitError } from './regkit-error';
export {
  ForbiddenError,
  type OciErrorEntry,
  RegistryResponseError,
  type RequestSummary,
  ResourceNotFoundError,
  type ResponseErrorInit,
  ServerError,
  TooManyRequestsError,
  UnauthorizedError,
  UnsupportedOperationError,
} from './response-errors';
export { PaginationError, RedirectError, TimeoutError, type TimeoutPhase, TransportError } from './transport-errors';
