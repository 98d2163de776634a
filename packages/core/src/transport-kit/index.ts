/**
 * `@regkit/core/transport-kit`: the plumbing every regkit transport needs,
 * so a transport is only what is specific to its HTTP library. Core's fetch
 * transport, `@regkit/transport-undici`, `@regkit/transport-axios` and the
 * testing package's handler transport are built on it; third-party
 * transports should be too. See `docs/transport-authors.md`.
 *
 * @packageDocumentation
 */

export {
  type BodyBridgeOptions,
  bridgeBody,
  bridgeNodeStream,
  bridgeWebStream,
  bytesToStream,
  discardBody,
  type NodeReadableLike,
  toBytes,
} from './body-bridge';
export {
  DEFAULT_TRANSPORT_TIMEOUT_MS,
  type DispatchContext,
  type ExchangeOptions,
  exchange,
  type LibraryResponse,
} from './exchange';
export { type HeaderSource, type HeadersLike, joinHeaders, type SerializableHeaders, withIdentityEncoding } from './headers';
export {
  type HttpProxyConfig,
  type HttpProxyOption,
  type HttpProxyPolicy,
  type ProxyEnvironment,
  type ResolvedHttpProxy,
  readProxyEnvironment,
  resolveHttpProxy,
} from './http-proxy';
export {
  describeError,
  detachedCause,
  errorCode,
  type FailedRequest,
  mapNetworkError,
  type NetworkErrorContext,
  type TransportTimeoutPhase,
} from './network-error';
export {
  assertIntegerOption,
  assertTimerOption,
  type CheckedTransportOptions,
  checkTransportOptions,
  type ResolvedTls,
  resolveTlsOptions,
  type TlsOptions,
  type TransportOptionsPolicy,
} from './options';
export { type PhaseTimeout, startPhaseTimeout } from './phase-timeout';
export {
  assertUnusedBody,
  DEFAULT_UPLOAD_CHUNK_BYTES,
  type GuardedRequestBody,
  guardRequestBody,
  type RequestBodyChunksOptions,
  requestBodyChunks,
} from './request-body';
export { parseRequestUrl } from './request-url';
export { finishResponse, hasNoBody, type RawResponse } from './response';
export { scrubSecrets, secretValues } from './secrets';
