/**
 * @regkit/core — a transport-agnostic client for Docker / OCI registries.
 *
 * @packageDocumentation
 */
export { Registry, type RegistryOptions } from './registry';
export { Repository } from './repository';
export { Images, type Image, type Platform, type Attestation } from './images';
export { Manifests, type GetManifestOptions } from './manifests';
export { Tags } from './tags';
export type { ResolveAllOptions, ResolvedManifest, ResolveFailure, ResolveOutcome, ResolveSuccess } from './resolve';
export {
  Blobs,
  type BlobDownload,
  type BlobInfo,
  type BlobProgress,
  type GetBlobOptions,
  type GetBlobBytesOptions,
  type StreamBlobOptions,
} from './blobs';
export type { ListOptions } from './pagination';
export type {
  Descriptor,
  DescriptorPlatform,
  ImageIndex,
  ImageManifest,
  Manifest,
} from './manifest';
export {
  MediaTypes,
  MANIFEST_ACCEPT,
  type ImageManifestMediaType,
  type IndexMediaType,
  type ManifestMediaType,
} from './media-types';
export { Requester, type RegistryBytes, type RegistryRequest, type RegistryResponse, type RequesterOptions } from './requester';
export type {
  HeaderMap,
  HttpMethod,
  RequestBody,
  Transport,
  TransportRequest,
  TransportResponse,
  TransportSendOptions,
} from './transport';
export { createFetchTransport, type FetchTransportOptions } from './fetch-transport';
export {
  createNullAuthenticator,
  MAX_AUTH_RESENDS,
  type AuthChallenge,
  type AuthContext,
  type AuthDecision,
  type AuthHttpClient,
  type AuthHttpRequest,
  type AuthHttpResponse,
  type AuthRequest,
  type AuthResponseContext,
  type AuthResponseInfo,
  type Authenticator,
  type RegistryTarget,
} from './authenticator';
export {
  familiarMatch,
  familiarName,
  familiarString,
  isValidRepositoryName,
  isValidTag,
  parseAnyReference,
  parseDockerRef,
  parseImageName,
  parseNamed,
  parseNormalizedNamed,
  parseReference,
  withDigest,
  withName,
  withTag,
  type DigestReference,
  type ImageName,
  type Reference,
} from './reference';
export { assertDigest, isDigest, parseDigest, type DigestAlgorithm, type ParsedDigest } from './digest';
export { createHasher, digestOf, type Hasher } from './hasher';
export { repositoryScope, CATALOG_SCOPE } from './scope';
export { DEFAULT_RETRY_POLICY, HostBackoff, type RetryPolicy } from './retry';
export { parseRateLimit, type RateLimitState } from './rate-limit';
export { redactUrl } from './redact';
export {
  formatScope,
  formatWwwAuthenticate,
  parseScope,
  parseWwwAuthenticate,
  splitScopes,
  type ParsedAuthChallenge,
  type TokenScope,
} from './www-authenticate';
export { canSendCredentials, checkTokenRealm, isLoopbackHost } from './credential-policy';
export * from './errors';
