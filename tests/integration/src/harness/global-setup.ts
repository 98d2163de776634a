import type { TestProject } from 'vitest/node';
import { type AvailableHarness, CONTEXT_KEY, type HarnessRegistryInfo, type IntegrationContext } from './harness-context';
import { connectionOf, type RegistryMode, type RunningRegistry, startRegistry } from './registry';
import { seedPlan } from './seed-plan';
import { seedRegistry } from './seeder';
import { findTool, ToolMissingError } from './tools';
import { DEFAULT_USERS } from './users';

const MODES: readonly RegistryMode[] = ['open', 'basic', 'token'];

/**
 * Vitest global setup: starts one registry per auth mode, seeds all three in
 * parallel, provides their connection info under `regkitIntegration`, and
 * stops them when the run ends. Without the registry binary the tests skip,
 * except in CI (`CI` set), where that is an error.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const missing = (['docker-registry', 'htpasswd'] as const).find((tool) => findTool(tool) === undefined);
  if (missing !== undefined) {
    const error = new ToolMissingError(missing);
    if (process.env.CI) throw error;
    console.warn(`[regkit integration] ${error.message} Integration tests are SKIPPED.`);
    project.provide(CONTEXT_KEY, { available: false, reason: error.message } satisfies IntegrationContext);
    return async () => {};
  }
  let skopeoMissing: string | undefined;
  if (findTool('skopeo') === undefined) {
    const error = new ToolMissingError('skopeo');
    if (process.env.CI) throw error;
    skopeoMissing = error.message;
    console.warn(`[regkit integration] ${error.message} skopeo tests are SKIPPED.`);
  }

  const registries: RunningRegistry[] = [];
  const stopAll = async () => {
    await Promise.allSettled(registries.map((registry) => registry.stop()));
  };
  try {
    const startedAt = performance.now();
    const started = await Promise.all(
      MODES.map(async (mode) => {
        const registry = await startRegistry({ mode });
        registries.push(registry);
        return registry;
      }),
    );
    const startMs = Math.round(performance.now() - startedAt);

    const seedStartedAt = performance.now();
    const seeded = await Promise.all(started.map((registry) => seedRegistry(connectionOf(registry), DEFAULT_USERS.admin)));
    const seedTotalMs = Math.round(performance.now() - seedStartedAt);

    const info = Object.fromEntries(started.map((registry) => [registry.mode, infoOf(registry)])) as Record<
      RegistryMode,
      HarnessRegistryInfo
    >;
    const seedMs = Object.fromEntries(started.map((registry, i) => [registry.mode, seeded[i]?.durationMs ?? 0])) as Record<
      RegistryMode,
      number
    >;
    const seedRequests = seeded.reduce((sum, result) => sum + result.requests, 0);
    const context: AvailableHarness = {
      available: true,
      registries: info,
      seed: seedPlan().summary,
      timings: { startMs, seedMs, seedTotalMs, seedRequests },
      skopeoMissing,
    };
    project.provide(CONTEXT_KEY, context);
    console.log(
      `[regkit integration] registries up in ${startMs} ms (${MODES.map((mode) => `${mode} ${info[mode].origin}`).join(', ')}); ` +
        `seeded in ${seedTotalMs} ms wall clock (${MODES.map((mode) => `${mode} ${seedMs[mode]} ms`).join(', ')}; ${seedRequests} requests)`,
    );
  } catch (error) {
    const logs = registries.map((registry) => `--- ${registry.mode} registry log ---\n${registry.logs()}`).join('\n');
    await stopAll();
    throw new Error(`[regkit integration] harness setup failed: ${(error as Error).message}\n${logs}`, { cause: error });
  }
  return stopAll;
}

function infoOf(registry: RunningRegistry): HarnessRegistryInfo {
  return {
    ...connectionOf(registry),
    host: registry.host,
    port: registry.port,
    users: registry.users,
    token: registry.tokenServer
      ? { realm: registry.tokenServer.realm, service: registry.tokenServer.service, issuer: registry.tokenServer.issuer }
      : undefined,
  };
}
