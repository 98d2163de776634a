import { createHash } from 'node:crypto';
import { connectionOf, DEFAULT_USERS, PushClient, type RunningRegistry, runLimited, seedPlan, sha256Digest } from './harness';
import { tagName, type Workload } from './jobs';
import { deterministicChunks } from './seed-stream';

export { deterministicChunks };

/** How much to seed. */
export interface SeedSizes {
  /** Tags in the many-tags repository. */
  readonly tags: number;
  /** Size of the large blob in bytes. */
  readonly blobBytes: number;
}

const MULTI_ARCH = { repository: 'library/golang', tag: '1.12.0' } as const;
// Repository names under the globs the harness lets anonymous token callers pull.
const MANY_TAGS_REPOSITORY = 'many/bench';
const BLOB_REPOSITORY = 'single/big';
const BLOB_TAG = 'v1';
const UPLOAD_CHUNK_BYTES = 8 * 1024 * 1024;
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar.gzip';

/**
 * Pushes everything the tasks need into `registry` through the distribution
 * API (as admin in token mode): a 3-platform manifest list, a repository of
 * `sizes.tags` tags, and a large blob uploaded in chunks (plus a one-layer
 * image around it for clients that can only copy images).
 */
export async function seedBenchRegistry(registry: RunningRegistry, sizes: SeedSizes): Promise<Workload> {
  const client = new PushClient(connectionOf(registry), registry.mode === 'open' ? undefined : DEFAULT_USERS.admin);
  const plan = seedPlan();

  // The multi-arch list: children by digest first (2.8 checks references), then the list by tag.
  const pushImage = async (repository: string, image: (typeof plan.golang.images)[number], reference: string) => {
    await Promise.all([image.config, ...image.layers].map((blob) => client.pushBlob(repository, blob)));
    await client.putManifest(repository, reference, image.manifest);
  };
  const multiArch = (async () => {
    await Promise.all(plan.golang.images.map((image) => pushImage(MULTI_ARCH.repository, image, image.manifest.digest)));
    await client.putManifest(MULTI_ARCH.repository, MULTI_ARCH.tag, plan.golang.list);
  })();

  // Many tags of one small image: one manifest PUT per tag.
  const manyTags = (async () => {
    await pushImage(MANY_TAGS_REPOSITORY, plan.small, tagName(0));
    const jobs = Array.from(
      { length: sizes.tags - 1 },
      (_, i) => () => client.putManifest(MANY_TAGS_REPOSITORY, tagName(i + 1), plan.small.manifest),
    );
    await runLimited(jobs, 8);
  })();

  const [, , blob] = await Promise.all([multiArch, manyTags, pushLargeImage(client, sizes.blobBytes)]);
  return {
    multiArch: { ...MULTI_ARCH, digest: plan.golang.list.digest, platforms: plan.golang.images.length },
    manyTags: { repository: MANY_TAGS_REPOSITORY, count: sizes.tags, manifestDigest: plan.small.manifest.digest },
    blob: { repository: BLOB_REPOSITORY, tag: BLOB_TAG, digest: blob.digest, size: sizes.blobBytes },
  };
}

/** The large blob (streamed up in chunks), a config, and a manifest tagging them. */
async function pushLargeImage(client: PushClient, blobBytes: number): Promise<{ digest: string }> {
  const digest = await pushBlobInChunks(client, BLOB_REPOSITORY, blobBytes);
  const config = new TextEncoder().encode(
    JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [digest] } }),
  );
  const configBlob = { digest: sha256Digest(config), bytes: config, mediaType: DOCKER_CONFIG };
  await client.pushBlob(BLOB_REPOSITORY, configBlob);
  const manifest = new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: DOCKER_MANIFEST,
      config: { mediaType: DOCKER_CONFIG, size: config.length, digest: configBlob.digest },
      layers: [{ mediaType: DOCKER_LAYER, size: blobBytes, digest }],
    }),
  );
  await client.putManifest(BLOB_REPOSITORY, BLOB_TAG, {
    digest: sha256Digest(manifest),
    bytes: manifest,
    mediaType: DOCKER_MANIFEST,
  });
  return { digest };
}

/**
 * A chunked upload (POST, one PATCH per chunk with `Content-Range`, then PUT
 * `?digest=`), hashing as it goes: only one chunk is ever in memory.
 */
export async function pushBlobInChunks(client: PushClient, repository: string, totalBytes: number): Promise<string> {
  const scopes = [`repository:${repository}:pull,push`];
  let response = await client.send('POST', `/v2/${repository}/blobs/uploads/`, { scopes });
  let location = await nextLocation(response, 202, 'start upload');
  const hash = createHash('sha256');
  let offset = 0;
  for (const chunk of deterministicChunks(totalBytes, UPLOAD_CHUNK_BYTES)) {
    hash.update(chunk);
    response = await client.send('PATCH', location, {
      scopes,
      headers: { 'content-type': 'application/octet-stream', 'content-range': `${offset}-${offset + chunk.length - 1}` },
      body: chunk,
    });
    location = await nextLocation(response, 202, `upload bytes ${offset}+`);
    offset += chunk.length;
  }
  const digest = `sha256:${hash.digest('hex')}`;
  const url = new URL(location, client.connection.origin);
  url.searchParams.set('digest', digest);
  response = await client.send('PUT', url.href, { scopes });
  if (response.status !== 201) throw new Error(`finish upload: HTTP ${response.status}: ${await response.text()}`);
  await response.body?.cancel();
  return digest;
}

async function nextLocation(response: Response, status: number, what: string): Promise<string> {
  if (response.status !== status) throw new Error(`${what}: HTTP ${response.status}: ${(await response.text()).slice(0, 500)}`);
  await response.body?.cancel();
  const location = response.headers.get('location');
  if (!location) throw new Error(`${what}: no Location`);
  return location;
}
