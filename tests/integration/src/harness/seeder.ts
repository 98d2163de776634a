import { type Credentials, PushClient, type RegistryConnection } from './push-client';
import { type PlannedImage, type SeedPlan, type SeedSummary, seedPlan } from './seed-plan';

/** Options for {@link seedRegistry}. */
export interface SeedOptions {
  /** Requests in flight at once. Default 8. */
  readonly concurrency?: number;
}

/** What {@link seedRegistry} did. */
export interface SeedResult {
  readonly summary: SeedSummary;
  /** Wall-clock time of the whole seed. */
  readonly durationMs: number;
  /** HTTP requests the seed made to the registry (token requests not counted). */
  readonly requests: number;
}

/**
 * Pushes the {@link seedPlan} into a registry through the distribution API,
 * as `credentials` (the admin user) in basic/token modes. Children go in
 * before the lists that reference them, since 2.8 checks references on PUT.
 *
 * @example
 * ```ts
 * const registry = await startRegistry({ mode: 'basic' });
 * const { durationMs } = await seedRegistry(connectionOf(registry), DEFAULT_USERS.admin);
 * ```
 */
export async function seedRegistry(
  connection: RegistryConnection,
  credentials?: Credentials,
  options: SeedOptions = {},
): Promise<SeedResult> {
  const started = performance.now();
  const plan = seedPlan();
  const client = new CountingPushClient(connection, credentials);
  const limit = options.concurrency ?? 8;

  // Independent repositories first, all at once.
  await Promise.all([
    pushImageList(client, plan, limit),
    pushImage(client, 'single/app', plan.singleApp, 'v1'),
    pushImage(client, 'private/app', plan.privateApp, 'v1'),
    pushImage(client, 'many/tags', plan.small, plan.summary.manyTags.tags[0] as string),
  ]);

  // The remaining 1,049 tags and the 120 bulk repositories reuse the small image:
  // tags are manifest PUTs, bulk repositories mount its blobs from many/tags.
  const jobs: (() => Promise<void>)[] = [];
  for (const tag of plan.summary.manyTags.tags.slice(1))
    jobs.push(() => client.putManifest('many/tags', tag, plan.small.manifest));
  for (const repository of plan.summary.bulk.repositories) {
    jobs.push(async () => {
      await Promise.all([plan.small.config, ...plan.small.layers].map((blob) => client.mountBlob(repository, blob, 'many/tags')));
      await client.putManifest(repository, plan.summary.bulk.tag, plan.small.manifest);
    });
  }
  await runLimited(jobs, limit);

  return { summary: plan.summary, durationMs: Math.round(performance.now() - started), requests: client.requests };
}

async function pushImageList(client: PushClient, plan: SeedPlan, limit: number): Promise<void> {
  const golang = plan.summary.golang;
  await runLimited(
    plan.golang.images.map((image) => () => pushImage(client, golang.repository, image, image.manifest.digest)),
    limit,
  );
  await client.putManifest(golang.repository, golang.tag, plan.golang.list);

  const oci = plan.summary.ociMulti;
  await runLimited(
    plan.ociMulti.images.map((image) => () => pushImage(client, oci.repository, image, image.manifest.digest)),
    limit,
  );
  await client.putManifest(oci.repository, oci.tag, plan.ociMulti.index);
}

/** Blobs (in parallel), then the manifest under `reference` (a tag, or its own digest for list children). */
async function pushImage(client: PushClient, repository: string, image: PlannedImage, reference: string): Promise<void> {
  await Promise.all([image.config, ...image.layers].map((blob) => client.pushBlob(repository, blob)));
  await client.putManifest(repository, reference, image.manifest);
}

/** Runs thunks with at most `limit` in flight; the first failure rejects (after in-flight ones settle). */
export async function runLimited(jobs: readonly (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && next < jobs.length) {
      const job = jobs[next++] as () => Promise<void>;
      try {
        await job();
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, jobs.length)) }, worker));
  if (failure !== undefined) throw failure.error;
}

/** Counts registry requests, for the timing report. */
class CountingPushClient extends PushClient {
  requests = 0;
  override send(...args: Parameters<PushClient['send']>): ReturnType<PushClient['send']> {
    this.requests++;
    return super.send(...args);
  }
}
