import { expect, it } from 'vitest';
import { describeWithRegistries, type HarnessRegistryInfo, MEDIA_TYPES, PushClient, seedPlan, sha256Digest } from './harness';

const ACCEPT_ALL = [
  MEDIA_TYPES.dockerManifest,
  MEDIA_TYPES.dockerManifestList,
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.ociIndex,
].join(', ');

describeWithRegistries('seeded content', (harness) => {
  const plan = seedPlan();
  const seed = harness.seed;

  for (const registry of Object.values(harness.registries)) {
    const admin = registry.users.find((user) => user.username === 'admin');
    const client = new PushClient(registry, admin);
    const pull = (repository: string) => [`repository:${repository}:pull`];

    async function manifest(target: HarnessRegistryInfo, repository: string, reference: string) {
      const response = await client.send('GET', `/v2/${repository}/manifests/${reference}`, {
        scopes: pull(repository),
        headers: { accept: ACCEPT_ALL },
      });
      expect(response.status, `${target.mode} ${repository}:${reference}`).toBe(200);
      return { response, bytes: new Uint8Array(await response.arrayBuffer()) };
    }

    it(`${registry.mode}: library/golang:1.12.0 is the seeded 3-platform manifest list, byte for byte`, async () => {
      const { response, bytes } = await manifest(registry, 'library/golang', '1.12.0');
      expect(response.headers.get('content-type')).toBe(MEDIA_TYPES.dockerManifestList);
      expect(response.headers.get('docker-content-digest')).toBe(seed.golang.digest);
      expect(Buffer.from(bytes).equals(Buffer.from(plan.golang.list.bytes))).toBe(true);
      const list = JSON.parse(new TextDecoder().decode(bytes)) as {
        manifests: { digest: string; platform: Record<string, string> }[];
      };
      expect(list.manifests.map((entry) => entry.platform)).toEqual([
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64', variant: 'v8' },
        { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.1879' },
      ]);
    });

    it(`${registry.mode}: each golang platform resolves by digest to a config that names its platform`, async () => {
      for (const platform of seed.golang.platforms) {
        const { bytes } = await manifest(registry, 'library/golang', platform.manifestDigest);
        expect(sha256Digest(bytes)).toBe(platform.manifestDigest);
        const config = await client.send('GET', `/v2/library/golang/blobs/${platform.configDigest}`, {
          scopes: pull('library/golang'),
        });
        expect(config.status).toBe(200);
        const configBytes = new Uint8Array(await config.arrayBuffer());
        expect(sha256Digest(configBytes)).toBe(platform.configDigest);
        const parsed = JSON.parse(new TextDecoder().decode(configBytes)) as Record<string, unknown>;
        expect({
          os: parsed.os,
          architecture: parsed.architecture,
          variant: parsed.variant,
          'os.version': parsed['os.version'],
        }).toEqual({
          variant: undefined,
          'os.version': undefined,
          ...platform.platform,
        });
      }
    });

    it(`${registry.mode}: oci/multi:latest is an OCI index with two platforms and an attestation`, async () => {
      const { response, bytes } = await manifest(registry, 'oci/multi', 'latest');
      expect(response.headers.get('content-type')).toBe(MEDIA_TYPES.ociIndex);
      expect(sha256Digest(bytes)).toBe(seed.ociMulti.digest);
      const index = JSON.parse(new TextDecoder().decode(bytes)) as {
        manifests: { digest: string; platform: Record<string, string>; annotations?: Record<string, string> }[];
      };
      expect(index.manifests).toHaveLength(3);
      const attestation = index.manifests[2];
      expect(attestation?.platform).toEqual({ architecture: 'unknown', os: 'unknown' });
      expect(attestation?.annotations).toEqual({
        'vnd.docker.reference.digest': seed.ociMulti.platforms[0]?.manifestDigest,
        'vnd.docker.reference.type': 'attestation-manifest',
      });
      const child = await manifest(registry, 'oci/multi', seed.ociMulti.attestation.manifestDigest);
      expect(child.response.headers.get('content-type')).toBe(MEDIA_TYPES.ociManifest);
    });

    it(`${registry.mode}: single/app:v1 is a schema2 manifest whose layer is a real tar.gz`, async () => {
      const { response } = await manifest(registry, 'single/app', 'v1');
      expect(response.headers.get('content-type')).toBe(MEDIA_TYPES.dockerManifest);
      expect(response.headers.get('docker-content-digest')).toBe(seed.singleApp.manifestDigest);
      const layerDigest = seed.singleApp.layerDigests[0] ?? '';
      const layer = await client.send('GET', `/v2/single/app/blobs/${layerDigest}`, { scopes: pull('single/app') });
      const layerBytes = new Uint8Array(await layer.arrayBuffer());
      expect(sha256Digest(layerBytes)).toBe(layerDigest);
      expect([layerBytes[0], layerBytes[1]]).toEqual([0x1f, 0x8b]); // gzip magic
    });

    it(`${registry.mode}: many/tags has all 1,050 tags on one manifest`, async () => {
      const response = await client.send('GET', '/v2/many/tags/tags/list', { scopes: pull('many/tags') });
      const body = (await response.json()) as { tags: string[] };
      expect(body.tags).toHaveLength(1050);
      expect([...body.tags].sort()).toEqual(seed.manyTags.tags);
      const last = await client.send('HEAD', '/v2/many/tags/manifests/tag-1049', {
        scopes: pull('many/tags'),
        headers: { accept: ACCEPT_ALL },
      });
      expect(last.headers.get('docker-content-digest')).toBe(seed.manyTags.manifestDigest);
    });

    it(`${registry.mode}: every bulk repository has its latest tag`, async () => {
      for (const repository of [seed.bulk.repositories[0], seed.bulk.repositories[119]] as string[]) {
        const response = await client.send('HEAD', `/v2/${repository}/manifests/latest`, {
          scopes: pull(repository),
          headers: { accept: ACCEPT_ALL },
        });
        expect(response.status).toBe(200);
        expect(response.headers.get('docker-content-digest')).toBe(seed.bulk.manifestDigest);
      }
    });
  }
});
