/**
 * `@regkit/testing`: an in-memory fake Docker/OCI registry for tests, with
 * distribution 2.8's answers (pushes included) and profiles for OCI 1.1
 * (referrers), Docker Hub, GHCR, ECR and Quay, content builders, default fixtures, call recording, fault
 * injection, a handler transport and a loopback server. The MSW handlers
 * live in `@regkit/testing/msw` and the vitest helpers in
 * `@regkit/testing/vitest`, so this entry imports neither.
 *
 * @packageDocumentation
 */

export { ERROR_CODES, type ErrorCodeInfo, type OciErrorCode } from './api/oci-errors';
export type { FakeTokenServiceOptions, TokenCall, TokenGrant } from './auth/token-service';
export type { FakeAction, FakeUser } from './auth/users';
export type { RecordedCall, UnmatchedRequest } from './call-log';
export { type BuildBlobOptions, type BuiltBlob, buildBlob } from './content/build-blob';
export { type BuildImageOptions, buildImage } from './content/build-image';
export { type BuildIndexOptions, buildIndex } from './content/build-index';
export { type BuildSchema1Options, buildSchema1 } from './content/build-schema1';
export { sha256Digest } from './content/digest';
export { MEDIA_TYPES } from './content/media-types';
export type {
  BlobContent,
  BuiltArtifact,
  BuiltAttestation,
  BuiltImage,
  BuiltIndex,
  BuiltSchema1,
  ImageFormat,
  Platform,
} from './content/types';
export type { CorsOption } from './cors';
export { createFakeDockerHub, type FakeDockerHubOptions } from './docker-hub';
export {
  createFakeRegistry,
  type FakeAuthMode,
  type FakeRegistry,
  type FakeRegistryOptions,
  type ListeningRegistry,
  type ListenOptions,
  type ManifestInput,
  type RegistrySeed,
} from './fake-registry';
export { ABUSE_LIMIT_MESSAGE, type ActiveFault, type FaultControl, type FaultSpec, PULL_LIMIT_MESSAGE } from './faults';
export { FIXTURES, type Fixture, type IndexFixture } from './fixtures';
export { createHandlerTransport, type RequestHandlerTarget } from './handler-transport';
export type { LoopbackServer } from './loopback-server';
export { PROFILES, type ProfileEndpoints, type RegistryProfile, type RegistryProfileName } from './profiles';
export type { FakeRateLimit, RateLimitOptions } from './pull-budget';
