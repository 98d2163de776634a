/**
 * The real-registry harness of the integration tests, imported from source
 * (it is not a published package): registries, the push client, the seed
 * plan and tool lookup. Module by module rather than through its index,
 * which also pulls in vitest helpers.
 */
export { PushClient } from '../../tests/integration/src/harness/push-client';
export { connectionOf, type RunningRegistry, startRegistry } from '../../tests/integration/src/harness/registry';
export { seedPlan, sha256Digest } from '../../tests/integration/src/harness/seed-plan';
export { runLimited } from '../../tests/integration/src/harness/seeder';
export { findExecutable, findTool, isExecutable, requireTool } from '../../tests/integration/src/harness/tools';
export { DEFAULT_USERS } from '../../tests/integration/src/harness/users';
