import { describe, expect, it } from 'vitest';
import {
  BodyTooLargeError,
  DigestMismatchError,
  InvalidManifestError,
  InvalidOptionError,
  InvalidReferenceError,
  ManifestBlobUnknownError,
  RegistryResponseError,
} from './errors';
import { MediaTypes } from './media-types';
import { PushTestRegistry, sha256 } from './push-test-registry';
import { Registry } from './registry';

const encode = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

function setup(options: { maxManifestBytes?: number } = {}) {
  const fake = new PushTestRegistry();
  const registry = new Registry({ domain: '127.0.0.1:5999', transport: fake, ...options });
  const repo = registry.repository('team/app');
  const config = encode({ architecture: 'amd64', os: 'linux' });
  const layer = encode('layer');
  const configDigest = fake.putBlob('team/app', config);
  const layerDigest = fake.putBlob('team/app', layer);
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaTypes.OciManifest,
    config: { mediaType: MediaTypes.OciConfig, digest: configDigest, size: config.byteLength },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layer.byteLength }],
  };
  return { fake, registry, repo, manifest };
}

describe('manifests().put', () => {
  it('sends a JSON document serialised once, under its tag, with its media type and push scope', async () => {
    const { fake, repo, manifest } = setup();
    const bytes = encode(manifest);
    const result = await repo.manifests().put(manifest, { tag: 'v1' });
    expect(result).toEqual({ digest: sha256(bytes), location: `${fake.origin}/v2/team/app/manifests/${sha256(bytes)}` });
    const put = fake.calls.at(-1);
    expect(put?.method).toBe('PUT');
    expect(put?.path).toBe('/v2/team/app/manifests/v1');
    expect(put?.headers['content-type']).toBe(MediaTypes.OciManifest);
    expect(fake.manifests.get('team/app')?.get('v1')?.bytes).toEqual(bytes);
  });

  it('sends bytes exactly as given (whitespace and key order kept) and PUTs by digest without a tag', async () => {
    const { fake, repo, manifest } = setup();
    const bytes = encode(
      `{\n  "schemaVersion": 2, "mediaType": "${MediaTypes.OciManifest}", "config": ${JSON.stringify(manifest.config)}, "layers": []\n}`,
    );
    const { digest } = await repo.manifests().put(bytes);
    expect(digest).toBe(sha256(bytes));
    expect(fake.calls.at(-1)?.path).toBe(`/v2/team/app/manifests/${digest}`);
    expect(fake.manifests.get('team/app')?.get(digest)?.bytes).toEqual(bytes);
  });

  it('re-sends a read manifest byte for byte', async () => {
    const { fake, repo, manifest } = setup();
    const odd = encode(
      `{"layers":[],"config":${JSON.stringify(manifest.config)},"schemaVersion":2,"mediaType":"${MediaTypes.OciManifest}"}`,
    );
    const original = fake.putManifest('team/app', 'odd', odd, MediaTypes.OciManifest);
    const read = await repo.manifests().get('odd');
    const { digest } = await repo.manifests().put(read, { tag: 'copy' });
    expect(digest).toBe(original);
  });

  it('takes an OCI manifest without mediaType when the option names it', async () => {
    const { fake, repo, manifest } = setup();
    const { mediaType: _, ...bare } = manifest;
    await repo.manifests().put(bare, { mediaType: MediaTypes.OciManifest });
    expect(fake.calls.at(-1)?.headers['content-type']).toBe(MediaTypes.OciManifest);
  });

  it('refuses a media type option that disagrees with the document, before sending', async () => {
    const { fake, repo, manifest } = setup();
    await expect(repo.manifests().put(manifest, { mediaType: MediaTypes.DockerManifest })).rejects.toThrow(InvalidManifestError);
    expect(fake.calls).toEqual([]);
  });

  it('refuses bad tags, unknown options, non-manifests and oversized manifests before sending', async () => {
    const { fake, repo, manifest } = setup({ maxManifestBytes: 64 });
    await expect(repo.manifests().put(manifest, { tag: '-bad' })).rejects.toThrow(InvalidReferenceError);
    await expect(repo.manifests().put(manifest, { tags: 'v1' } as never)).rejects.toThrow(InvalidOptionError);
    await expect(repo.manifests().put(encode('not json'))).rejects.toThrow(InvalidManifestError);
    await expect(repo.manifests().put(manifest)).rejects.toThrow(BodyTooLargeError);
    expect(fake.calls).toEqual([]);
  });

  it('maps MANIFEST_BLOB_UNKNOWN to ManifestBlobUnknownError naming the digest', async () => {
    const { repo, manifest } = setup();
    const missing = sha256(encode('missing'));
    const broken = { ...manifest, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: missing, size: 7 }] };
    const error = await repo
      .manifests()
      .put(broken, { tag: 'v2' })
      .catch((e: unknown) => e);
    expect(ManifestBlobUnknownError.isInstance(error)).toBe(true);
    expect(RegistryResponseError.isInstance(error)).toBe(true);
    expect((error as ManifestBlobUnknownError).digest).toBe(missing);
    expect((error as ManifestBlobUnknownError).status).toBe(400);
  });

  it('fails when the registry reports another digest than the bytes sent', async () => {
    const { fake, repo, manifest } = setup();
    fake.wrongManifestDigest = true;
    await expect(repo.manifests().put(manifest, { tag: 'v1' })).rejects.toThrow(DigestMismatchError);
  });

  it('returns the subject the registry reported in OCI-Subject', async () => {
    const { fake, repo, manifest } = setup();
    fake.answersSubject = true;
    const subject = { mediaType: MediaTypes.OciManifest, digest: sha256(encode('s')), size: 1 };
    const result = await repo.manifests().put({ ...manifest, subject });
    expect(result.subject).toBe(subject.digest);
  });
});

describe('images().tag', () => {
  it('PUTs the exact bytes of an existing manifest under the new tag, touching no blob', async () => {
    const { fake, repo, manifest } = setup();
    const bytes = encode(
      `{ "schemaVersion":2,"mediaType":"${MediaTypes.OciManifest}","config":${JSON.stringify(manifest.config)},"layers":[] }`,
    );
    const digest = fake.putManifest('team/app', 'v1', bytes, MediaTypes.OciManifest);
    fake.calls.length = 0;
    await expect(repo.images().tag('v1', 'stable')).resolves.toEqual({ digest });
    expect(fake.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'GET /v2/team/app/manifests/v1',
      'PUT /v2/team/app/manifests/stable',
    ]);
    expect(fake.manifests.get('team/app')?.get('stable')?.bytes).toEqual(bytes);
  });

  it('refuses an invalid new tag without a request', async () => {
    const { fake, repo } = setup();
    await expect(repo.images().tag('v1', 'no/slash')).rejects.toThrow(InvalidReferenceError);
    expect(fake.calls).toEqual([]);
  });
});
