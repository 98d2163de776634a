/**
 * `@regkit/testing`: an in-memory fake Docker/OCI registry for tests, with
 * distribution 2.8's answers, content builders, default fixtures, call
 * recording, a handler transport and a loopback server. The MSW handlers
 * live in `@regkit/testing/msw` so this entry does not import msw.
 *
 * @packageDocumentation
 */

export { ERROR_CODES, type OciErrorCode } from './api/oci-errors';
export type { RecordedCall } from './call-log';
export type { FakeAction, FakeUser } from './auth/users';
export type { FakeTokenServiceOptions, TokenCall, TokenGrant } from './auth/token-service';
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
export { FIXTURES, type Fixture, type IndexFixture } from './fixtures';
export { createHandlerTransport, type RequestHandlerTarget } from './handler-transport';
export type { LoopbackServer } from './loopback-server';
export { PROFILES, type RegistryProfile, type RegistryProfileName } from './profiles';
