import { describe, expect, it } from 'vitest';
import { buildImage } from './content/build-image';
import { sha256Digest } from './content/digest';
import { MEDIA_TYPES } from './content/media-types';
import { createFakeRegistry, type FakeRegistry } from './fake-registry';
import { send } from './test-support';

const EMPTY = '{}';
const EMPTY_DESCRIPTOR = { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256Digest(EMPTY), size: 2 };
const SBOM = 'application/spdx+json';
const SIGNATURE = 'application/vnd.dev.cosign.artifact.sig.v1+json';

/** Pushes an artifact manifest naming `subject`, through the API; returns the PUT answer and the digest. */
async function attach(
  registry: FakeRegistry,
  name: string,
  subject: { digest: string; size: number },
  artifactType: string,
  text: string,
) {
  registry.putBlob(name, EMPTY);
  const layer = registry.putBlob(name, text);
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    artifactType,
    config: EMPTY_DESCRIPTOR,
    layers: [{ mediaType: 'text/plain', digest: layer, size: text.length }],
    subject: { mediaType: MEDIA_TYPES.ociManifest, ...subject },
    annotations: { 'org.example.text': text },
  };
  const bytes = new TextEncoder().encode(JSON.stringify(manifest));
  const digest = sha256Digest(bytes);
  const response = await send(registry, `/v2/${name}/manifests/${digest}`, {
    method: 'PUT',
    body: bytes,
    headers: { 'content-type': MEDIA_TYPES.ociManifest },
  });
  return { response, digest, size: bytes.length };
}

function setup(profile: 'oci-1.1' | 'distribution' | 'distribution-2.8' = 'oci-1.1') {
  const registry = createFakeRegistry({ profile, fixtures: false });
  const image = registry.putImage('team/app', 'v1', buildImage({ format: 'oci' }));
  return { registry, image, subject: { digest: image.digest, size: image.bytes.length } };
}

describe('the referrers API (oci-1.1 profile)', () => {
  it('answers a manifest PUT with a subject with OCI-Subject', async () => {
    const { registry, subject } = setup();
    const { response } = await attach(registry, 'team/app', subject, SBOM, 'sbom');
    expect(response.status).toBe(201);
    expect(response.headers.get('oci-subject')).toBe(subject.digest);
  });

  it('lists referrers as an OCI index, with artifactType and annotations', async () => {
    const { registry, subject } = setup();
    const sbom = await attach(registry, 'team/app', subject, SBOM, 'sbom');
    const signature = await attach(registry, 'team/app', subject, SIGNATURE, 'sig');
    const response = await send(registry, `/v2/team/app/referrers/${subject.digest}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(MEDIA_TYPES.ociIndex);
    expect(response.headers.get('oci-filters-applied')).toBeNull();
    const body = await response.json();
    expect(body).toEqual({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociIndex,
      manifests: expect.arrayContaining([
        {
          mediaType: MEDIA_TYPES.ociManifest,
          digest: sbom.digest,
          size: sbom.size,
          artifactType: SBOM,
          annotations: { 'org.example.text': 'sbom' },
        },
        {
          mediaType: MEDIA_TYPES.ociManifest,
          digest: signature.digest,
          size: signature.size,
          artifactType: SIGNATURE,
          annotations: { 'org.example.text': 'sig' },
        },
      ]),
    });
    expect(body.manifests).toHaveLength(2);
  });

  it('filters by artifactType and says so with OCI-Filters-Applied', async () => {
    const { registry, subject } = setup();
    const sbom = await attach(registry, 'team/app', subject, SBOM, 'sbom');
    await attach(registry, 'team/app', subject, SIGNATURE, 'sig');
    const response = await send(registry, `/v2/team/app/referrers/${subject.digest}?artifactType=${encodeURIComponent(SBOM)}`);
    expect(response.headers.get('oci-filters-applied')).toBe('artifactType');
    expect((await response.json()).manifests.map((entry: { digest: string }) => entry.digest)).toEqual([sbom.digest]);
  });

  it('uses the config media type as artifactType when the manifest has none', async () => {
    const { registry, image } = setup();
    const child = buildImage({ format: 'oci', layers: ['attestation'] });
    const parsed = JSON.parse(new TextDecoder().decode(child.bytes));
    parsed.subject = { mediaType: MEDIA_TYPES.ociManifest, digest: image.digest, size: image.bytes.length };
    for (const blob of child.blobs) registry.putBlob('team/app', blob.bytes);
    const digest = registry.putManifest('team/app', { bytes: JSON.stringify(parsed), mediaType: MEDIA_TYPES.ociManifest });
    const response = await send(registry, `/v2/team/app/referrers/${image.digest}`);
    expect((await response.json()).manifests).toEqual([expect.objectContaining({ digest, artifactType: MEDIA_TYPES.ociConfig })]);
  });

  it('pages with Link when there are more than a page', async () => {
    const { registry, subject } = setup();
    const created = [];
    for (const text of ['a', 'b', 'c', 'd', 'e']) created.push((await attach(registry, 'team/app', subject, SBOM, text)).digest);
    created.sort();
    const seen: string[] = [];
    let path: string | undefined = `/v2/team/app/referrers/${subject.digest}?n=2`;
    let pages = 0;
    while (path !== undefined && pages < 10) {
      const response = await send(registry, path);
      seen.push(...(await response.json()).manifests.map((entry: { digest: string }) => entry.digest));
      path = /^<([^>]+)>; rel="next"$/.exec(response.headers.get('link') ?? '')?.[1];
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(created);
  });

  it('answers an empty list, never 404, for a subject without referrers or an unknown repository; 400 for a bad digest', async () => {
    const { registry } = setup();
    const none = await send(registry, `/v2/team/app/referrers/${sha256Digest('nothing')}`);
    expect(none.status).toBe(200);
    expect((await none.json()).manifests).toEqual([]);
    expect((await send(registry, `/v2/team/nope/referrers/${sha256Digest('nothing')}`)).status).toBe(200);
    const bad = await send(registry, '/v2/team/app/referrers/sha256:abc');
    expect(bad.status).toBe(400);
  });

  it('drops a referrer deleted by digest', async () => {
    const { registry, subject } = setup();
    const sbom = await attach(registry, 'team/app', subject, SBOM, 'sbom');
    expect((await send(registry, `/v2/team/app/manifests/${sbom.digest}`, { method: 'DELETE' })).status).toBe(202);
    expect((await (await send(registry, `/v2/team/app/referrers/${subject.digest}`)).json()).manifests).toEqual([]);
  });

  it('needs pull in token mode', async () => {
    const registry = createFakeRegistry({ profile: 'oci-1.1', auth: 'token' });
    const response = await send(registry, `/v2/library/hello/referrers/${sha256Digest('x')}`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('scope="repository:library/hello:pull"');
  });
});

describe('without the referrers API (distribution 2.8 profiles)', () => {
  it.each(['distribution', 'distribution-2.8'] as const)('%s answers the router miss and no OCI-Subject', async (profile) => {
    const { registry, subject } = setup(profile);
    const { response } = await attach(registry, 'team/app', subject, SBOM, 'sbom');
    expect(response.status).toBe(201);
    expect(response.headers.get('oci-subject')).toBeNull();
    const referrers = await send(registry, `/v2/team/app/referrers/${subject.digest}`);
    expect(referrers.status).toBe(404);
    expect(referrers.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await referrers.text()).toBe('404 page not found\n');
  });
});

describe('tag delete', () => {
  it('oci-1.1 deletes only the tag (202); the manifest and its other tags stay', async () => {
    const { registry, image } = setup();
    registry.tag('team/app', 'v2', image.digest);
    const response = await send(registry, '/v2/team/app/manifests/v1', { method: 'DELETE' });
    expect(response.status).toBe(202);
    expect(registry.tags('team/app')).toEqual(['v2']);
    expect(registry.hasManifest('team/app', image.digest)).toBe(true);
    const again = await send(registry, '/v2/team/app/manifests/v1', { method: 'DELETE' });
    expect(again.status).toBe(404);
    expect((await again.json()).errors[0].code).toBe('MANIFEST_UNKNOWN');
  });

  it.each(['distribution', 'distribution-2.8'] as const)(
    '%s refuses it with 400 DIGEST_INVALID, as 2.8 does',
    async (profile) => {
      const { registry } = setup(profile);
      const response = await send(registry, '/v2/team/app/manifests/v1', { method: 'DELETE' });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        errors: [{ code: 'DIGEST_INVALID', message: 'provided digest did not match uploaded content' }],
      });
      expect(registry.tags('team/app')).toEqual(['v1']);
    },
  );
});
