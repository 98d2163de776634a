/**
 * The artifact scenarios of `artifacts.integ.test.ts` against the fake
 * registry of `@regkit/testing` in token mode: its `oci-1.1` profile has the
 * referrers API, `OCI-Subject` and tag delete, so regkit must take the API
 * path (asserted from the recorded calls) and write no fallback tag; its
 * `distribution-2.8` profile answers as 2.8 does, so the same scenarios go
 * through the `sha256-<hex>` tag.
 */
import { createTokenAuthenticator } from '@regkit/auth-token';
import { MediaTypes, pushArtifact, Registry, ResourceNotFoundError, referrersTag } from '@regkit/core';
import { createFakeRegistry, createHandlerTransport, type FakeRegistry, PROFILES } from '@regkit/testing';
import { describe, expect, it } from 'vitest';

const REPO = 'team/app';
const SBOM = 'application/spdx+json';
const SIG = 'application/vnd.dev.cosign.artifact.sig.v1+json';
const admin = { username: 'admin', password: 'secret' };

async function setup(profile: 'oci-1.1' | 'distribution-2.8', pageSize?: number) {
  const fake = createFakeRegistry({
    profile: pageSize === undefined ? profile : { ...PROFILES[profile], referrersPageSize: pageSize },
    auth: 'token',
    users: [admin],
    fixtures: false,
  });
  const client = new Registry({
    domain: 'registry.fake.test',
    transport: createHandlerTransport(fake),
    authenticator: createTokenAuthenticator(admin),
    retry: { limit: 0 },
  });
  const repository = client.repository(REPO);
  const config = await repository
    .blobs()
    .upload(
      new TextEncoder().encode(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } })),
    );
  const { digest } = await repository.manifests().put(
    {
      schemaVersion: 2,
      mediaType: MediaTypes.OciManifest,
      config: { mediaType: MediaTypes.OciConfig, digest: config.digest, size: config.size },
      layers: [],
    },
    { tag: 'v1' },
  );
  await repository.images().tag('v1', 'stable');
  const sbom = await pushArtifact(repository, {
    subject: digest,
    artifactType: SBOM,
    files: [{ mediaType: SBOM, content: '{"spdxVersion":"SPDX-2.3"}', name: 'sbom.spdx.json' }],
  });
  const signature = await pushArtifact(repository, { subject: digest, artifactType: SIG });
  return { fake, client, repository, digest, sbom, signature };
}

/** Registry requests (401 challenges included) since the last `clearCalls()`. */
function calls(fake: FakeRegistry): string[] {
  return fake.calls.map((call) => {
    const url = new URL(call.url);
    return `${call.method} ${url.pathname}${url.search}`;
  });
}

describe('artifacts on the fake oci-1.1 profile (referrers API)', () => {
  it('pushes without maintaining a fallback tag and lists through the API, one request per listing', async () => {
    const { fake, repository, digest, sbom, signature } = await setup('oci-1.1');
    expect([sbom.referrers, signature.referrers]).toEqual(['registry', 'registry']);
    expect(fake.calls.some((call) => call.path.endsWith(`/manifests/${referrersTag(digest)}`))).toBe(false);

    fake.clearCalls();
    const all = await repository.referrers().getAll(digest);
    expect(all.map((entry) => entry.digest).sort()).toEqual([sbom.digest, signature.digest].sort());
    expect(all.find((entry) => entry.digest === sbom.digest)?.artifactType).toBe(SBOM);
    expect(calls(fake)).toEqual([`GET /v2/${REPO}/referrers/${digest}`]);

    fake.clearCalls();
    const signatures = await repository.referrers().getAll(digest, { artifactType: SIG });
    expect(signatures.map((entry) => entry.digest)).toEqual([signature.digest]);
    expect(calls(fake)).toEqual([`GET /v2/${REPO}/referrers/${digest}?artifactType=${encodeURIComponent(SIG)}`]);
  });

  it('follows Link pages, one request per page', async () => {
    const { fake, repository, digest, sbom, signature } = await setup('oci-1.1', 1);
    fake.clearCalls();
    const referrers = [];
    for await (const entry of repository.referrers().list(digest)) referrers.push(entry.digest);
    expect(referrers.sort()).toEqual([sbom.digest, signature.digest].sort());
    const pages = calls(fake);
    expect(pages).toHaveLength(2);
    expect(pages[0]).toBe(`GET /v2/${REPO}/referrers/${digest}`);
    expect(pages[1]).toMatch(new RegExp(`^GET /v2/${REPO}/referrers/${digest}\\?`));
  });

  it('deletes an artifact (the registry updates its own index) and a tag with DELETE', async () => {
    const { fake, repository, digest, sbom, signature } = await setup('oci-1.1');
    await repository.referrers().getAll(digest); // learns that the registry has the API
    fake.clearCalls();
    await repository.images().deleteByDigest(sbom.digest);
    expect(calls(fake)).toEqual([`DELETE /v2/${REPO}/manifests/${sbom.digest}`]);
    expect((await repository.referrers().getAll(digest)).map((entry) => entry.digest)).toEqual([signature.digest]);

    expect(await repository.tags().delete('stable')).toEqual({ method: 'delete' });
    expect(
      ResourceNotFoundError.isInstance(
        await repository
          .images()
          .resolve('stable')
          .catch((error: unknown) => error),
      ),
    ).toBe(true);
    expect((await repository.images().resolve('v1')).digest).toBe(digest);
  });
});

describe('artifacts on the fake distribution-2.8 profile (tag fallback)', () => {
  it('maintains the sha256-<hex> index and lists through it, updating it on delete', async () => {
    const { fake, repository, digest, sbom, signature } = await setup('distribution-2.8');
    expect([sbom.referrers, signature.referrers]).toEqual(['fallback-tag', 'fallback-tag']);
    fake.clearCalls();
    const all = await repository.referrers().getAll(digest);
    expect(all.map((entry) => [entry.digest, entry.artifactType])).toEqual([
      [sbom.digest, SBOM],
      [signature.digest, SIG],
    ]);
    expect(calls(fake)).toEqual([`GET /v2/${REPO}/referrers/${digest}`, `GET /v2/${REPO}/manifests/${referrersTag(digest)}`]);

    await repository.images().deleteByDigest(sbom.digest);
    fake.clearCalls();
    expect((await repository.referrers().getAll(digest)).map((entry) => entry.digest)).toEqual([signature.digest]);
    expect(calls(fake)).toEqual([`GET /v2/${REPO}/manifests/${referrersTag(digest)}`]);

    expect(await repository.tags().delete('stable', { fallback: true })).toEqual({ method: 'fallback' });
    expect((await repository.images().resolve('v1')).digest).toBe(digest);
  });
});
