export { RegkitError } from './regkit-error';
export { InvalidOptionError } from './option-errors';
export { InvalidReferenceError, RegistryMismatchError, type InvalidReferenceReason } from './reference-errors';
export {
  BodyTooLargeError,
  DigestMismatchError,
  InvalidManifestError,
  RegistryProtocolError,
  SchemaUnknownError,
  SchemaV1NotSupportedError,
  type DigestSource,
} from './content-errors';
export { PaginationError, RedirectError, TimeoutError, TransportError, type TimeoutPhase } from './transport-errors';
export {
  ForbiddenError,
  RegistryResponseError,
  ResourceNotFoundError,
  ServerError,
  TooManyRequestsError,
  UnauthorizedError,
  UnsupportedOperationError,
  type OciErrorEntry,
  type RateLimitInfo,
  type RequestSummary,
  type ResponseErrorInit,
} from './response-errors';
export {
  AuthenticationError,
  AuthTokenInvalidError,
  AuthTokenNoBearerError,
  InsecureCredentialsError,
  TokenRequestError,
} from './auth-errors';
