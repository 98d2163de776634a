/**
 * The real-registry integration harness: start distribution 2.8 registries
 * (open, htpasswd, token auth), seed them with known content, and check
 * results with skopeo. Import from test files as `./harness` (or
 * `../src/harness` from elsewhere in this package).
 */

export { describeWithRegistries, integrationContext } from './context';
export type { AvailableHarness, HarnessRegistryInfo, HarnessTimings, IntegrationContext } from './harness-context';
export { basicAuthorization, type Credentials, PushClient, type PushContent, type RegistryConnection } from './push-client';
export { connectionOf, type RegistryMode, type RunningRegistry, type StartRegistryOptions, startRegistry } from './registry';
export {
  BULK_REPOSITORY_COUNT,
  type ImageDigests,
  MANY_TAGS_COUNT,
  MEDIA_TYPES,
  type PlannedBlob,
  type PlannedImage,
  type PlannedManifest,
  type PlatformDigests,
  type SeedPlan,
  type SeedPlatform,
  type SeedSummary,
  seedPlan,
  sha256Digest,
} from './seed-plan';
export { runLimited, type SeedOptions, type SeedResult, seedRegistry } from './seeder';
export { inspectConfigRaw, inspectRaw, listTags, type SkopeoOptions } from './skopeo';
export { createTarGzip, type TarFile } from './tar';
export {
  findTinyproxy,
  type RunningTinyproxy,
  type StartTinyproxyOptions,
  startTinyproxy,
  type TinyproxyAvailability,
  tinyproxyAvailability,
} from './tinyproxy';
export { findTool, requireTool, ToolMissingError, type ToolName } from './tools';
export { ANONYMOUS_ACCESS, DEFAULT_USERS, type HarnessUser, PUBLIC_REPOSITORIES } from './users';
