import { HttpResponse, http } from 'msw';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidOptionError,
  NotAnImageError,
  PlatformNotFoundError,
  RegistryMismatchError,
  ResourceNotFoundError,
  TagDigestMismatchError,
} from './errors';
import { MediaTypes } from './media-types';
import { Registry } from './registry';
import { blob, FakeRepo, imageManifest, mswServer, ORIGIN, rejectionOf, repoHandlers } from './test-support';

const server = mswServer();
const requests: string[] = [];
beforeAll(() => {
  server.listen({ onUnhandledRequest: 'error' });
  server.events.on('request:start', ({ request }) => {
    requests.push(`${request.method} ${new URL(request.url).pathname}`);
  });
});
afterEach(() => {
  server.resetHandlers();
  requests.length = 0;
});
afterAll(() => server.close());

const registry = () => new Registry({ domain: 'registry.test' });

const RUN_CONFIG = { Env: ['PATH=/usr/bin'], Entrypoint: ['/app'], User: '1000', Labels: { team: 'x' } };

function multiArch() {
  const repo = new FakeRepo('team/app');
  const amd64Config = repo.putBlob(
    blob({ os: 'linux', architecture: 'amd64', config: RUN_CONFIG, rootfs: { type: 'layers', diff_ids: [] } }),
  );
  const armConfig = repo.putBlob(
    blob({
      os: 'linux',
      architecture: 'arm64',
      variant: 'v8',
      config: { ...RUN_CONFIG, User: 'arm' },
      rootfs: { type: 'layers', diff_ids: [] },
    }),
  );
  const amd64 = repo.putManifest(imageManifest(amd64Config));
  const arm64 = repo.putManifest(imageManifest(armConfig));
  const entry = (m: typeof amd64, platform: Record<string, string>) => ({
    mediaType: MediaTypes.OciManifest,
    digest: m.digest,
    size: m.bytes.byteLength,
    platform,
  });
  const index = repo.putManifest(
    blob(
      {
        schemaVersion: 2,
        mediaType: MediaTypes.OciIndex,
        manifests: [
          entry(amd64, { os: 'linux', architecture: 'amd64' }),
          entry(arm64, { os: 'linux', architecture: 'arm64', variant: 'v8' }),
        ],
      },
      MediaTypes.OciIndex,
    ),
    'latest',
  );
  repo.tags.set('1.0', index.digest);
  const single = repo.putManifest(imageManifest(amd64Config), 'single');
  return { repo, index, amd64, arm64, single };
}

describe('registry.image()', () => {
  it('reads latest when the reference has no tag, and the tag it names otherwise', async () => {
    const { repo, index } = multiArch();
    server.use(...repoHandlers([repo]));
    const image = await registry().image('registry.test/team/app');
    expect(image).toMatchObject({ kind: 'index', digest: index.digest, tag: 'latest', artifactType: undefined });
    expect(requests).toEqual(['GET /v2/team/app/manifests/latest']);
    expect((await registry().image('registry.test/team/app:1.0')).tag).toBe('1.0');
  });

  it('reads by digest when the reference has one', async () => {
    const { repo, arm64 } = multiArch();
    server.use(...repoHandlers([repo]));
    const image = await registry().image(`registry.test/team/app@${arm64.digest}`);
    expect(image).toMatchObject({ kind: 'image', digest: arm64.digest, tag: '' });
    expect(requests[0]).toBe(`GET /v2/team/app/manifests/${arm64.digest}`);
  });

  it('checks tag@digest with one request and refuses a tag that moved', async () => {
    const { repo, index, arm64 } = multiArch();
    server.use(...repoHandlers([repo]));
    const pinned = await registry().image(`registry.test/team/app:1.0@${index.digest}`);
    expect(pinned).toMatchObject({ digest: index.digest, tag: '1.0', kind: 'index' });
    expect(requests).toEqual(['GET /v2/team/app/manifests/1.0']);

    const error = await rejectionOf(registry().image(`registry.test/team/app:1.0@${arm64.digest}`));
    expect(TagDigestMismatchError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ tag: '1.0', expected: arm64.digest, actual: index.digest });
  });

  it('refuses another registry and reports unknown tags as not found', async () => {
    const { repo } = multiArch();
    server.use(...repoHandlers([repo]));
    expect(RegistryMismatchError.isInstance(await rejectionOf(registry().image('ghcr.io/team/app')))).toBe(true);
    expect(ResourceNotFoundError.isInstance(await rejectionOf(registry().image('registry.test/team/app:nope')))).toBe(true);
  });
});

describe('image.platform()', () => {
  it('selects entries with containerd normalisation and stays out of JSON', async () => {
    const { repo, amd64, arm64 } = multiArch();
    server.use(...repoHandlers([repo]));
    const image = await registry().image('registry.test/team/app');
    expect(image.platform('linux/arm64')?.digest).toBe(arm64.digest);
    expect(image.platform('linux/arm64/v8')?.digest).toBe(arm64.digest);
    expect(image.platform({ os: 'linux', architecture: 'x86_64' })?.digest).toBe(amd64.digest);
    expect(image.platform('linux/arm/v7')).toBeUndefined();
    expect(image.platform('windows/amd64')).toBeUndefined();
    expect(() => image.platform('linux')).toThrow(InvalidOptionError);
    expect(JSON.parse(JSON.stringify(image))).not.toHaveProperty('platform');
  });

  it('works on a single-platform image read from its config', async () => {
    const { repo, single } = multiArch();
    server.use(...repoHandlers([repo]));
    const image = await registry().image('registry.test/team/app:single');
    expect(image.kind).toBe('image');
    expect(image.platform('linux/amd64')?.digest).toBe(single.digest);
    expect(image.platform('linux/arm64')).toBeUndefined();
  });
});

describe('images().getConfig()', () => {
  it('reads the chosen platform of an index, typed', async () => {
    const { repo, arm64 } = multiArch();
    server.use(...repoHandlers([repo]));
    const config = await registry().repository('team/app').images().getConfig('latest', { platform: 'linux/arm64' });
    expect(config).toMatchObject({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(config.config?.User).toBe('arm');
    expect(config.config?.Entrypoint).toEqual(['/app']);
    expect(requests).toEqual([
      'GET /v2/team/app/manifests/latest',
      `GET /v2/team/app/manifests/${arm64.digest}`,
      expect.stringMatching(/^GET \/v2\/team\/app\/blobs\/sha256:/),
    ]);
  });

  it('needs a platform for a multi-platform image and names the ones there are', async () => {
    const { repo } = multiArch();
    server.use(...repoHandlers([repo]));
    const images = registry().repository('team/app').images();
    const missing = await rejectionOf(images.getConfig('latest'));
    expect(InvalidOptionError.isInstance(missing)).toBe(true);
    expect((missing as Error).message).toContain('linux/amd64, linux/arm64/v8');
    const absent = await rejectionOf(images.getConfig('latest', { platform: 'linux/s390x' }));
    expect(PlatformNotFoundError.isInstance(absent)).toBe(true);
    expect(absent).toMatchObject({ platform: 'linux/s390x', available: ['linux/amd64', 'linux/arm64/v8'] });
  });

  it('reads a single image without a platform, and checks one when given', async () => {
    const { repo } = multiArch();
    server.use(...repoHandlers([repo]));
    const images = registry().repository('team/app').images();
    expect((await images.getConfig('single')).architecture).toBe('amd64');
    expect(PlatformNotFoundError.isInstance(await rejectionOf(images.getConfig('single', { platform: 'linux/arm64' })))).toBe(
      true,
    );
  });

  it('caps the config blob', async () => {
    const { repo } = multiArch();
    server.use(...repoHandlers([repo]));
    const error = await rejectionOf(registry().repository('team/app').images().getConfig('single', { maxBytes: 10 }));
    expect((error as Error).name).toBe('BodyTooLargeError');
  });

  it('verifies the config blob against its digest', async () => {
    const { repo, amd64 } = multiArch();
    const manifest = JSON.parse(new TextDecoder().decode(repo.manifests.get(amd64.digest)?.bytes)) as {
      config: { digest: string };
    };
    const original = repo.blobs.get(manifest.config.digest)?.bytes ?? new Uint8Array();
    // Same length, other bytes: the digest catches it. A longer body is refused by the descriptor's size first.
    const tampered = new TextEncoder().encode(new TextDecoder().decode(original).replace('amd64', 'arm64'));
    server.use(
      http.get(`${ORIGIN}/v2/team/app/blobs/${manifest.config.digest}`, () => new HttpResponse(tampered)),
      ...repoHandlers([repo]),
    );
    const error = await rejectionOf(registry().repository('team/app').images().getConfig('single'));
    expect((error as Error).name).toBe('DigestMismatchError');
  });
});

describe('artifacts', () => {
  function artifactRepo() {
    const repo = new FakeRepo('charts/app');
    const chartConfig = repo.putBlob(blob({ name: 'app', version: '1.0.0' }, 'application/vnd.cncf.helm.config.v1+json'));
    const chart = repo.putManifest(imageManifest(chartConfig), '1.0.0');
    const empty = repo.putBlob(blob({}, MediaTypes.OciEmpty));
    const subject = { mediaType: MediaTypes.OciManifest, digest: chart.digest, size: chart.bytes.byteLength };
    const sbom = repo.putManifest(
      blob(
        {
          schemaVersion: 2,
          mediaType: MediaTypes.OciManifest,
          artifactType: 'application/spdx+json',
          config: { mediaType: MediaTypes.OciEmpty, digest: empty.digest, size: 2 },
          layers: [],
          subject,
          annotations: { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' },
        },
        MediaTypes.OciManifest,
      ),
      'sbom',
    );
    return { repo, chart, sbom };
  }

  it('reports a Helm chart as an artifact of its config type, without reading the config', async () => {
    const { repo, chart } = artifactRepo();
    server.use(...repoHandlers([repo]));
    const image = await registry().image('registry.test/charts/app:1.0.0');
    expect(image).toMatchObject({
      kind: 'artifact',
      artifactType: 'application/vnd.cncf.helm.config.v1+json',
      digest: chart.digest,
      platforms: [],
    });
    expect(requests).toEqual(['GET /v2/charts/app/manifests/1.0.0']);
  });

  it('reports artifactType, subject and annotations of an OCI 1.1 artifact', async () => {
    const { repo, chart } = artifactRepo();
    server.use(...repoHandlers([repo]));
    const image = await registry().image('registry.test/charts/app:sbom');
    expect(image).toMatchObject({
      kind: 'artifact',
      artifactType: 'application/spdx+json',
      subject: { digest: chart.digest },
      annotations: { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' },
    });
  });

  it('refuses getConfig on an artifact with a typed error', async () => {
    const { repo } = artifactRepo();
    server.use(...repoHandlers([repo]));
    const error = await rejectionOf(registry().repository('charts/app').images().getConfig('1.0.0'));
    expect(NotAnImageError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ artifactType: 'application/vnd.cncf.helm.config.v1+json' });
  });
});
