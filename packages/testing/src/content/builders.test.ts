import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FIXTURES } from '../fixtures';
import { buildImage } from './build-image';
import { buildIndex } from './build-index';
import { buildSchema1 } from './build-schema1';
import { sha256Digest } from './digest';
import { MEDIA_TYPES } from './media-types';

const decode = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes));

describe('buildImage', () => {
  it('builds a Docker schema 2 image whose manifest describes its real blobs', () => {
    const image = buildImage({ os: 'linux', architecture: 'arm64', variant: 'v8', layers: ['one\n', 'two\n'] });
    expect(image.mediaType).toBe(MEDIA_TYPES.dockerManifest);
    expect(image.digest).toBe(sha256Digest(image.bytes));
    const manifest = decode(image.bytes);
    expect(manifest).toMatchObject({ schemaVersion: 2, mediaType: MEDIA_TYPES.dockerManifest });
    expect(manifest.config).toEqual({
      mediaType: MEDIA_TYPES.dockerConfig,
      size: image.config.size,
      digest: image.config.digest,
    });
    expect(manifest.layers.map((layer: { digest: string }) => layer.digest)).toEqual(image.layers.map((layer) => layer.digest));
    for (const blob of image.blobs) expect(blob.digest).toBe(sha256Digest(blob.bytes));

    const config = decode(image.config.bytes);
    expect(config).toMatchObject({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    // diff_ids are digests of the uncompressed tar, and the layers really are gzipped tars.
    const tars = image.layers.map((layer) => gunzipSync(layer.bytes));
    expect(config.rootfs.diff_ids).toEqual(tars.map((tar) => sha256Digest(tar)));
    expect(tars[1]?.subarray(0, 'regkit/layer-1.txt'.length).toString()).toBe('regkit/layer-1.txt');
    expect(tars[1]?.subarray(512, 516).toString()).toBe('two\n');
  });

  it('builds an OCI image with OCI media types and annotations', () => {
    const image = buildImage({ format: 'oci', os: 'windows', osVersion: '10.0.20348.1', annotations: { a: 'b' } });
    const manifest = decode(image.bytes);
    expect(manifest.mediaType).toBe(MEDIA_TYPES.ociManifest);
    expect(manifest.config.mediaType).toBe(MEDIA_TYPES.ociConfig);
    expect(manifest.layers[0].mediaType).toBe(MEDIA_TYPES.ociLayer);
    expect(manifest.annotations).toEqual({ a: 'b' });
    expect(decode(image.config.bytes)['os.version']).toBe('10.0.20348.1');
  });

  it('is deterministic: the same options give the same digests', () => {
    expect(buildImage({ architecture: 's390x' }).digest).toBe(buildImage({ architecture: 's390x' }).digest);
    expect(buildImage({ architecture: 's390x' }).digest).not.toBe(buildImage({ architecture: 'ppc64le' }).digest);
  });
});

describe('buildIndex', () => {
  it('builds a Docker manifest list with platforms, including os.version and variant', () => {
    const index = FIXTURES.golang.content;
    expect(index.mediaType).toBe(MEDIA_TYPES.dockerManifestList);
    const list = decode(index.bytes);
    expect(list.manifests.map((entry: { platform: unknown }) => entry.platform)).toEqual([
      { architecture: 'amd64', os: 'linux' },
      { architecture: 'arm64', os: 'linux', variant: 'v8' },
      { architecture: 'amd64', os: 'windows', 'os.version': '10.0.17763.1879' },
    ]);
    expect(list.manifests.map((entry: { digest: string }) => entry.digest)).toEqual(Object.values(FIXTURES.golang.platforms));
    expect(Object.keys(FIXTURES.golang.platforms)).toEqual(['linux/amd64', 'linux/arm64/v8', 'windows/amd64']);
  });

  it('adds attestation entries on unknown/unknown pointing at their subject', () => {
    const index = FIXTURES.alpine.content;
    const entries = decode(index.bytes).manifests as {
      digest: string;
      platform: unknown;
      annotations?: Record<string, string>;
    }[];
    expect(entries).toHaveLength(3);
    const attestation = entries[2];
    expect(attestation?.platform).toEqual({ architecture: 'unknown', os: 'unknown' });
    expect(attestation?.annotations).toEqual({
      'vnd.docker.reference.digest': FIXTURES.alpine.platforms['linux/amd64'],
      'vnd.docker.reference.type': 'attestation-manifest',
    });
    expect(attestation?.digest).toBe(index.attestations[0]?.digest);
    const manifest = decode(index.attestations[0]?.bytes ?? new Uint8Array());
    expect(manifest.layers[0].mediaType).toBe(MEDIA_TYPES.inToto);
  });

  it('defaults to the format of its images and attests all with attestations: true', () => {
    const index = buildIndex({
      images: [buildImage({ format: 'oci' }), buildImage({ format: 'oci', architecture: 'arm64' })],
      attestations: true,
    });
    expect(index.mediaType).toBe(MEDIA_TYPES.ociIndex);
    expect(index.attestations.map((a) => a.subject)).toEqual(index.images.map((image) => image.digest));
  });
});

describe('buildSchema1', () => {
  it('builds a signed manifest whose digest is that of the payload without signatures', () => {
    const built = buildSchema1({ name: 'library/old', tag: 'v1' });
    const text = new TextDecoder().decode(built.bytes);
    const parsed = JSON.parse(text);
    expect(parsed).toMatchObject({ schemaVersion: 1, name: 'library/old', tag: 'v1' });
    expect(parsed.signatures).toHaveLength(1);
    const header = JSON.parse(Buffer.from(parsed.signatures[0].protected, 'base64url').toString());
    const payload = text.slice(0, header.formatLength) + Buffer.from(header.formatTail, 'base64url').toString();
    expect(built.digest).toBe(sha256Digest(payload));
    expect(built.bodyDigest).toBe(sha256Digest(built.bytes));
    expect(JSON.parse(payload).signatures).toBeUndefined();
  });

  it('builds an unsigned manifest whose digest is that of its bytes', () => {
    const built = buildSchema1({ name: 'library/old', tag: 'v1', signed: false });
    expect(built.mediaType).toBe(MEDIA_TYPES.dockerSchema1);
    expect(built.digest).toBe(built.bodyDigest);
  });
});

describe('FIXTURES', () => {
  it('exposes stable digests for the default content', () => {
    expect(FIXTURES.golang).toMatchObject({
      repository: 'library/golang',
      tag: '1.12.0',
      mediaType: MEDIA_TYPES.dockerManifestList,
    });
    expect(FIXTURES.alpine).toMatchObject({ repository: 'library/alpine', tag: 'latest', mediaType: MEDIA_TYPES.ociIndex });
    expect(FIXTURES.hello).toMatchObject({ repository: 'library/hello', tag: 'latest', mediaType: MEDIA_TYPES.dockerManifest });
    for (const fixture of [FIXTURES.golang, FIXTURES.alpine, FIXTURES.hello])
      expect(fixture.digest).toBe(sha256Digest(fixture.content.bytes));
  });

  it('keeps the same digests across releases and machines (downstream tests may hard-code them)', () => {
    expect(FIXTURES.golang.digest).toBe('sha256:deb61c77abe4ee549520ab6da502b9579dc52cd1a4fb1b037bac7f6f3d775927');
    expect(FIXTURES.alpine.digest).toBe('sha256:df2246b4d7f25b7831f37c3dee2c7b8f3c8d0688a82a2090ce2989cdb84a4aba');
    expect(FIXTURES.hello.digest).toBe('sha256:a198eda6c0014e470543517f30836d7059c21054e69c55ea02dcbb8022d3376f');
  });
});
