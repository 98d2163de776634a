import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BULK_REPOSITORY_COUNT, MANY_TAGS_COUNT, MEDIA_TYPES, type PlannedImage, seedPlan, sha256Digest } from './seed-plan';

const json = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;

interface Descriptor {
  mediaType: string;
  size: number;
  digest: string;
  platform?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Checks what a registry (and any careful client) would: descriptors match the bytes they name. */
function expectConsistent(image: PlannedImage) {
  expect(sha256Digest(image.manifest.bytes)).toBe(image.manifest.digest);
  const manifest = json(image.manifest.bytes) as { mediaType: string; config: Descriptor; layers: Descriptor[] };
  expect(manifest.mediaType).toBe(image.manifest.mediaType);
  expect(manifest.config).toEqual({
    mediaType: image.config.mediaType,
    size: image.config.bytes.length,
    digest: sha256Digest(image.config.bytes),
  });
  expect(manifest.layers.map((layer) => layer.digest)).toEqual(image.layers.map((layer) => sha256Digest(layer.bytes)));
  expect(manifest.layers.map((layer) => layer.size)).toEqual(image.layers.map((layer) => layer.bytes.length));
}

describe('seedPlan', () => {
  const plan = seedPlan();

  it('is deterministic', () => {
    expect(seedPlan()).toBe(plan);
    expect(plan.summary.golang.digest).toBe(sha256Digest(plan.golang.list.bytes));
  });

  it('builds a Docker manifest list of three platforms whose entries match the child manifests', () => {
    const list = json(plan.golang.list.bytes) as { mediaType: string; manifests: Descriptor[] };
    expect(list.mediaType).toBe(MEDIA_TYPES.dockerManifestList);
    expect(list.manifests.map((entry) => entry.platform)).toEqual(
      plan.summary.golang.platforms.map((platform) => platform.platform),
    );
    plan.golang.images.forEach((image, i) => {
      expectConsistent(image);
      expect(list.manifests[i]).toMatchObject({
        mediaType: MEDIA_TYPES.dockerManifest,
        digest: image.manifest.digest,
        size: image.manifest.bytes.length,
      });
    });
  });

  it('gives each golang config its platform and diff_ids that match the gunzipped layers', () => {
    plan.golang.images.forEach((image, i) => {
      const config = json(image.config.bytes) as { rootfs: { diff_ids: string[] }; history: unknown[] } & Record<string, unknown>;
      const platform = plan.summary.golang.platforms[i]?.platform ?? {};
      for (const [key, value] of Object.entries(platform)) expect(config[key]).toBe(value);
      expect(config.rootfs.diff_ids).toEqual(image.layers.map((layer) => sha256Digest(gunzipSync(layer.bytes))));
      expect(config.history).toHaveLength(image.layers.length);
    });
    const digests = new Set(plan.golang.images.map((image) => image.manifest.digest));
    expect(digests.size).toBe(3);
  });

  it('builds an OCI index with two platforms and an attestation for the amd64 image', () => {
    const index = json(plan.ociMulti.index.bytes) as { mediaType: string; manifests: Descriptor[] };
    expect(index.mediaType).toBe(MEDIA_TYPES.ociIndex);
    expect(index.manifests.map((entry) => entry.platform)).toEqual([
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
      { architecture: 'unknown', os: 'unknown' },
    ]);
    expect(index.manifests[2]?.annotations?.['vnd.docker.reference.digest']).toBe(index.manifests[0]?.digest);
    expect(index.manifests[2]?.annotations?.['vnd.docker.reference.type']).toBe('attestation-manifest');
    for (const image of plan.ociMulti.images) expectConsistent(image);
    expect(plan.ociMulti.images[2]?.layers[0]?.mediaType).toBe(MEDIA_TYPES.inToto);
  });

  it('serialises manifests with 3-space indentation, so re-encoding changes the digest', () => {
    const text = new TextDecoder().decode(plan.singleApp.manifest.bytes);
    expect(text).toContain('\n   "schemaVersion": 2');
    expect(sha256Digest(new TextEncoder().encode(JSON.stringify(JSON.parse(text))))).not.toBe(plan.singleApp.manifest.digest);
  });

  it('plans 1,050 tags, 120 bulk repositories and a sorted repository list', () => {
    expect(plan.summary.manyTags.tags).toHaveLength(MANY_TAGS_COUNT);
    expect(new Set(plan.summary.manyTags.tags).size).toBe(MANY_TAGS_COUNT);
    expect(plan.summary.bulk.repositories).toHaveLength(BULK_REPOSITORY_COUNT);
    expect(plan.summary.bulk.repositories.at(-1)).toBe('bulk/repo-119');
    expect(plan.summary.repositories).toHaveLength(BULK_REPOSITORY_COUNT + 5);
    expect(plan.summary.repositories).toEqual([...plan.summary.repositories].sort());
    for (const image of [plan.singleApp, plan.small, plan.privateApp]) expectConsistent(image);
  });

  it('is plain data in its summary (survives structured clone, as vitest provide needs)', () => {
    expect(structuredClone(plan.summary)).toEqual(plan.summary);
  });
});
