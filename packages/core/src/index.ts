/**
 * @regkit/core — a transport-agnostic client for Docker / OCI registries:
 * the client, its errors and reference parsing. The interfaces adapters
 * implement, and their helpers, are in `@regkit/core/spec`; transport
 * plumbing in `@regkit/core/transport-kit`.
 *
 * @packageDocumentation
 */

// The contracts' own types, so options such as `RegistryOptions.authenticator` can be named from the root.
export type { Authenticator } from './authenticator';
export {
  type BlobDownload,
  type BlobInfo,
  type BlobProgress,
  Blobs,
  type GetBlobBytesOptions,
  type GetBlobOptions,
  type StreamBlobOptions,
} from './blobs';
export {
  type CopyBlobProgress,
  type CopyImageOptions,
  type CopyImageResult,
  type CopyProgress,
  copyImage,
} from './copy-image';
export type { CredentialProvider } from './credentials';
export { assertDigest, type DigestAlgorithm, isDigest, type ParsedDigest, parseDigest } from './digest';
export { EMPTY_DESCRIPTOR } from './empty-descriptor';
export * from './errors';
export { createFetchTransport, type FetchTransportOptions } from './fetch-transport';
export { createHasher, digestOf, type Hasher } from './hasher';
export type { ImageConfig, ImageHistoryEntry, ImageRootFs, ImageRunConfig } from './image-config';
export {
  type Attestation,
  type GetConfigOptions,
  type Image,
  type ImageKind,
  Images,
  type Platform,
  type TagResult,
} from './images';
export type {
  Descriptor,
  DescriptorPlatform,
  ImageIndex,
  ImageManifest,
  Manifest,
} from './manifest';
export {
  type GetManifestOptions,
  type ManifestInput,
  Manifests,
  type PutManifestOptions,
  type PutManifestResult,
} from './manifests';
export {
  type ImageManifestMediaType,
  type IndexMediaType,
  MANIFEST_ACCEPT,
  type ManifestMediaType,
  MediaTypes,
} from './media-types';
export type { ListOptions } from './pagination';
export type {
  AuthEvent,
  RedirectEvent,
  RegistryEvent,
  RegistryEventListener,
  RequestEvent,
  ResponseEvent,
  RetryEvent,
  WaitEvent,
} from './pipeline/events';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './pipeline/retry-policy';
export type { PlatformParts, PlatformSpec } from './platform';
export { type ArtifactFile, type PushArtifactOptions, type PushedArtifact, pushArtifact } from './push-artifact';
export type { RateLimitState } from './rate-limit';
export { redactUrl } from './redact';
export {
  type DigestReference,
  familiarMatch,
  familiarName,
  familiarString,
  type ImageName,
  isValidRepositoryName,
  isValidTag,
  parseAnyReference,
  parseDockerRef,
  parseImageName,
  parseNamed,
  parseNormalizedNamed,
  parseReference,
  type Reference,
  withDigest,
  withName,
  withTag,
} from './reference';
export { Referrers, type ReferrersOptions, referrersTag } from './referrers';
export { Registry, type RegistryOptions } from './registry';
export { Repository } from './repository';
// Types only: `Registry.requester` returns one, for endpoints regkit does not wrap; it is not constructed outside core.
export type { HeldResponse, RegistryBytes, RegistryRequest, RegistryResponse, Requester } from './requester';
export type { ResolveAllOptions, ResolvedManifest, ResolveFailure, ResolveOutcome, ResolveSuccess } from './resolve';
export { type DeletedTag, type DeleteTagOptions, Tags } from './tags';
export type { Transport } from './transport';
export {
  DEFAULT_UPLOAD_CHUNK_SIZE,
  type MountBlobOptions,
  type MountResult,
  type UploadBlobOptions,
  type UploadedBlob,
  type UploadProgress,
} from './upload/blob-upload';
export type { UploadContent } from './upload/chunk-reader';
