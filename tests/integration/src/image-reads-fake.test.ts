/**
 * One-call image reads (`registry.image()`, `image.platform()`,
 * `images().getConfig()`, artifacts) against the fake registry of
 * `@regkit/testing` through its handler transport: Accept negotiation,
 * digests and error bodies as distribution 2.8 answers them, and the
 * recorded calls to count requests.
 */
import {
  MediaTypes,
  NotAnImageError,
  PlatformNotFoundError,
  Registry,
  RegistryMismatchError,
  TagDigestMismatchError,
} from '@regkit/core';
import { buildImage, buildIndex, createFakeRegistry, createHandlerTransport, FIXTURES } from '@regkit/testing';
import { describe, expect, it } from 'vitest';

function setup() {
  const fake = createFakeRegistry();
  const registry = new Registry({ domain: 'registry.fake.test', transport: createHandlerTransport(fake), retry: { limit: 0 } });
  const requests = () => fake.calls.map((call) => `${call.method} ${call.path}`);
  return { fake, registry, requests };
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('registry.image() on the fake registry', () => {
  it('reads latest, a tag, a digest and a checked tag@digest, one manifest GET each', async () => {
    const { fake, registry, requests } = setup();
    const hello = await registry.image('registry.fake.test/library/hello');
    expect(hello).toMatchObject({ kind: 'image', tag: 'latest', digest: FIXTURES.hello.digest });

    fake.clearCalls();
    const golang = await registry.image('registry.fake.test/library/golang:1.12.0');
    expect(golang).toMatchObject({ kind: 'index', tag: '1.12.0', digest: FIXTURES.golang.digest });
    expect(requests()).toEqual(['GET /v2/library/golang/manifests/1.12.0']);

    const arm = FIXTURES.golang.platforms['linux/arm64/v8'] as string;
    expect(await registry.image(`registry.fake.test/library/golang@${arm}`)).toMatchObject({
      tag: '',
      digest: arm,
      kind: 'image',
    });

    fake.clearCalls();
    const pinned = await registry.image(`registry.fake.test/library/golang:1.12.0@${FIXTURES.golang.digest}`);
    expect(pinned).toMatchObject({ tag: '1.12.0', digest: FIXTURES.golang.digest });
    expect(requests()).toEqual(['GET /v2/library/golang/manifests/1.12.0']);

    const moved = await rejectionOf(registry.image(`registry.fake.test/library/golang:1.12.0@${arm}`));
    expect(TagDigestMismatchError.isInstance(moved)).toBe(true);
    expect(RegistryMismatchError.isInstance(await rejectionOf(registry.image('docker.io/library/golang')))).toBe(true);
  });

  it('selects platforms with the usual variant normalisation', async () => {
    const { registry } = setup();
    const golang = await registry.image('registry.fake.test/library/golang:1.12.0');
    expect(golang.platform('linux/arm64')?.digest).toBe(FIXTURES.golang.platforms['linux/arm64/v8']);
    expect(golang.platform('linux/aarch64/v8')?.digest).toBe(FIXTURES.golang.platforms['linux/arm64/v8']);
    expect(golang.platform('windows/amd64')?.digest).toBe(FIXTURES.golang.platforms['windows/amd64']);
    expect(golang.platform('linux/arm/v7')).toBeUndefined();
  });
});

describe('images().getConfig() on the fake registry', () => {
  it('reads the typed config of one platform of a manifest list', async () => {
    const { fake, registry } = setup();
    const arm = buildImage({ os: 'linux', architecture: 'arm64', variant: 'v8', format: 'oci', cmd: ['/bin/app', '--serve'] });
    const amd = buildImage({ os: 'linux', architecture: 'amd64', format: 'oci' });
    fake.putImage('team/app', 'v1', buildIndex({ images: [amd, arm], format: 'oci' }));
    const config = await registry.repository('team/app').images().getConfig('v1', { platform: 'linux/arm64' });
    expect(config).toMatchObject({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(config.config?.Cmd).toEqual(['/bin/app', '--serve']);
    expect(config.rootfs.diff_ids).toHaveLength(arm.layers.length);
    const missing = await rejectionOf(registry.repository('team/app').images().getConfig('v1', { platform: 'linux/s390x' }));
    expect(PlatformNotFoundError.isInstance(missing)).toBe(true);
  });
});

describe('artifacts on the fake registry', () => {
  it('reports a Helm chart as an artifact, not as an image without platforms', async () => {
    const { fake, registry, requests } = setup();
    const chartConfig = JSON.stringify({ name: 'app', version: '1.0.0', apiVersion: 'v2' });
    const configDigest = fake.putBlob('charts/app', chartConfig);
    const chart = 'chart bytes';
    const chartDigest = fake.putBlob('charts/app', chart);
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaTypes.OciManifest,
      config: { mediaType: 'application/vnd.cncf.helm.config.v1+json', digest: configDigest, size: chartConfig.length },
      layers: [{ mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', digest: chartDigest, size: chart.length }],
    });
    fake.putManifest('charts/app', { bytes: manifest }, '1.0.0');
    fake.clearCalls();
    const image = await registry.image('registry.fake.test/charts/app:1.0.0');
    expect(image).toMatchObject({ kind: 'artifact', artifactType: 'application/vnd.cncf.helm.config.v1+json', platforms: [] });
    expect(requests()).toEqual(['GET /v2/charts/app/manifests/1.0.0']);
    const error = await rejectionOf(registry.repository('charts/app').images().getConfig('1.0.0'));
    expect(NotAnImageError.isInstance(error)).toBe(true);
  });
});
