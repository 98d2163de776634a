/**
 * OCI 1.1 artifacts on the real distribution 2.8.2 in token mode: 2.8 has no
 * referrers API and refuses tag deletes, so regkit maintains the
 * `sha256-<hex>` referrers tag and deletes tags through a unique empty
 * manifest. skopeo reads what regkit wrote, as an independent client.
 */
import {
  MediaTypes,
  pushArtifact,
  type Registry,
  ResourceNotFoundError,
  referrersTag,
  TagDeleteUnsupportedError,
} from '@regkit/core';
import { createUndiciTransport } from '@regkit/transport-undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticatorFor, recordingTransport, registryFor } from './clients';
import { DEFAULT_USERS, findTool, inspectRaw, listTags, type RunningRegistry, startRegistry } from './harness';

const available = findTool('docker-registry') !== undefined || process.env.CI !== undefined;
const admin = { username: DEFAULT_USERS.admin.username, password: DEFAULT_USERS.admin.password };
const REPO = 'team/app';
const SBOM = 'application/spdx+json';
const SIG = 'application/vnd.dev.cosign.artifact.sig.v1+json';

(available ? describe : describe.skip)('OCI 1.1 artifacts on distribution 2.8.2 (token mode)', () => {
  let registry: RunningRegistry;
  let transport: ReturnType<typeof recordingTransport>;
  let client: Registry;
  let imageDigest: string;

  beforeAll(async () => {
    registry = await startRegistry({ mode: 'token' });
    transport = recordingTransport(createUndiciTransport());
    client = registryFor(registry, transport, authenticatorFor('token', admin));
    const repository = client.repository(REPO);
    const config = new TextEncoder().encode(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: { Cmd: ['/bin/sh'] },
        rootfs: { type: 'layers', diff_ids: [] },
      }),
    );
    const uploaded = await repository.blobs().upload(config);
    const pushed = await repository.manifests().put(
      {
        schemaVersion: 2,
        mediaType: MediaTypes.OciManifest,
        config: { mediaType: MediaTypes.OciConfig, digest: uploaded.digest, size: uploaded.size },
        layers: [],
      },
      { tag: 'v1' },
    );
    imageDigest = pushed.digest;
    await repository.images().tag('v1', 'stable');
  });
  afterAll(async () => {
    await transport?.close?.();
    await registry?.stop();
  });

  const registryCalls = () =>
    transport.seen
      .filter((seen) => seen.url.startsWith(registry.origin))
      .map((seen) => `${seen.method} ${new URL(seen.url).pathname}${new URL(seen.url).search}`);

  it('attaches two artifacts, lists them through the fallback tag, filters, and skopeo reads what was written', async () => {
    const repository = client.repository(REPO);
    const sbom = await pushArtifact(repository, {
      subject: imageDigest,
      artifactType: SBOM,
      files: [{ mediaType: SBOM, content: '{"spdxVersion":"SPDX-2.3"}', name: 'sbom.spdx.json' }],
    });
    const signature = await pushArtifact(repository, { subject: imageDigest, artifactType: SIG });
    expect([sbom.referrers, signature.referrers]).toEqual(['fallback-tag', 'fallback-tag']);

    transport.seen.length = 0;
    const all = await repository.referrers().getAll(imageDigest);
    expect(all.map((entry) => [entry.digest, entry.artifactType])).toEqual([
      [sbom.digest, SBOM],
      [signature.digest, SIG],
    ]);
    const tag = referrersTag(imageDigest);
    // 2.8's router misses /referrers/ (a 404 before any challenge), then one manifest GET.
    expect(registryCalls()).toEqual([`GET /v2/${REPO}/referrers/${imageDigest}`, `GET /v2/${REPO}/manifests/${tag}`]);

    transport.seen.length = 0;
    const signatures = await repository.referrers().getAll(imageDigest, { artifactType: SIG });
    expect(signatures.map((entry) => entry.digest)).toEqual([signature.digest]);
    expect(registryCalls()).toEqual([`GET /v2/${REPO}/manifests/${tag}`]);

    const index = JSON.parse((await inspectRaw(`${registry.host}/${REPO}:${tag}`, { credentials: admin })).toString('utf8'));
    expect(index.mediaType).toBe(MediaTypes.OciIndex);
    expect(index.manifests.map((entry: { digest: string; artifactType: string }) => [entry.digest, entry.artifactType])).toEqual([
      [sbom.digest, SBOM],
      [signature.digest, SIG],
    ]);
    const artifact = JSON.parse(
      (await inspectRaw(`${registry.host}/${REPO}@${sbom.digest}`, { credentials: admin })).toString('utf8'),
    );
    expect(artifact).toMatchObject({
      artifactType: SBOM,
      subject: { digest: imageDigest },
      config: { mediaType: MediaTypes.OciEmpty },
    });
    expect(artifact.layers[0].annotations).toEqual({ 'org.opencontainers.image.title': 'sbom.spdx.json' });

    const read = await client.image(`${registry.host}/${REPO}@${sbom.digest}`);
    expect(read).toMatchObject({ kind: 'artifact', artifactType: SBOM, platforms: [] });
  });

  it('removes a deleted artifact from the fallback index', async () => {
    const repository = client.repository(REPO);
    const [sbom, signature] = await repository.referrers().getAll(imageDigest);
    if (sbom === undefined || signature === undefined) throw new Error('the first test attaches two artifacts');
    await repository.images().deleteByDigest(sbom.digest);
    expect((await repository.referrers().getAll(imageDigest)).map((entry) => entry.digest)).toEqual([signature.digest]);
    const index = JSON.parse(
      (await inspectRaw(`${registry.host}/${REPO}:${referrersTag(imageDigest)}`, { credentials: admin })).toString('utf8'),
    );
    expect(index.manifests.map((entry: { digest: string }) => entry.digest)).toEqual([signature.digest]);
  });

  it('deletes a tag only with the fallback, and the other tags keep the original digest', async () => {
    const tags = client.repository(REPO).tags();
    const refused = await tags.delete('stable').catch((error: unknown) => error);
    expect(TagDeleteUnsupportedError.isInstance(refused)).toBe(true);

    expect(await tags.delete('stable', { fallback: true })).toEqual({ method: 'fallback' });
    const images = client.repository(REPO).images();
    const gone = await images.resolve('stable').catch((error: unknown) => error);
    expect(ResourceNotFoundError.isInstance(gone)).toBe(true);
    expect((await images.resolve('v1')).digest).toBe(imageDigest);
    expect((await client.image(`${registry.host}/${REPO}:v1`)).digest).toBe(imageDigest);
    const remaining = await listTags(`${registry.host}/${REPO}`, { credentials: admin });
    expect(remaining).toContain('v1');
    expect(remaining).not.toContain('stable');
  });

  it('reads the typed config and the platform of the pushed image', async () => {
    const image = await client.image(`${registry.host}/${REPO}:v1`);
    expect(image.kind).toBe('image');
    expect(image.platform('linux/amd64')?.digest).toBe(imageDigest);
    const config = await client.repository(REPO).images().getConfig('v1', { platform: 'linux/amd64' });
    expect(config.config?.Cmd).toEqual(['/bin/sh']);
  });
});
