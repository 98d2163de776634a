/**
 * The whole read API against the real distribution registry, in every auth
 * mode and through every transport, checked against what the seeder pushed
 * and against skopeo as an independent client.
 */
import { InvalidReferenceError, type Registry, ResourceNotFoundError, type Transport, UnauthorizedError } from '@regkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCatalogHoldsSeed } from './catalog-expectations';
import { authenticatorFor, registryFor, TRANSPORTS } from './clients';
import { DEFAULT_USERS, describeWithRegistries, inspectRaw, listTags } from './harness';

const MODES = ['open', 'basic', 'token'] as const;

function platformKey(p: { os: string; architecture: string; variant?: string | undefined; osVersion?: string | undefined }) {
  return [p.os, p.architecture, p.variant ?? '', p.osVersion ?? ''].join('/');
}

describeWithRegistries('read API on distribution 2.8', (harness) => {
  const { seed } = harness;

  for (const mode of MODES) {
    for (const [transportName, createTransport] of Object.entries(TRANSPORTS)) {
      describe(`${mode} mode, ${transportName} transport`, () => {
        const info = harness.registries[mode];
        let transport: Transport;
        let registry: Registry;

        beforeAll(() => {
          transport = createTransport();
          registry = registryFor(info, transport, authenticatorFor(mode, DEFAULT_USERS.admin));
        });
        afterAll(async () => {
          await transport.close?.();
        });

        it('reads a Docker manifest list with its three platforms', async () => {
          const image = await registry.repositoryFromString(`${info.host}/library/golang`).images().getByTag('1.12.0');
          expect(image.digest).toBe(seed.golang.digest);
          expect(image.mediaType).toBe(seed.golang.mediaType);
          expect(image.tag).toBe('1.12.0');
          expect(image.domain).toBe(info.host);
          expect(image.repository).toBe('library/golang');
          expect(image.platforms.map((p) => [platformKey(p), p.digest])).toEqual(
            seed.golang.platforms.map((p) => [
              platformKey({ ...p.platform, osVersion: p.platform['os.version'] }),
              p.manifestDigest,
            ]),
          );
          expect(image.attestations).toEqual([]);
        });

        it('keeps the attestation of an OCI index out of the platforms', async () => {
          const image = await registry.repository('oci/multi').images().getByTag('latest');
          expect(image.digest).toBe(seed.ociMulti.digest);
          expect(image.platforms.map((p) => p.digest)).toEqual(seed.ociMulti.platforms.map((p) => p.manifestDigest));
          expect(image.attestations.map((a) => [a.digest, a.subjectDigest])).toEqual([
            [seed.ociMulti.attestation.manifestDigest, seed.ociMulti.attestation.referenceDigest],
          ]);
        });

        it('reads the platform of a single-arch image from its config', async () => {
          const image = await registry.repository('single/app').images().getByTag('v1');
          expect(image.digest).toBe(seed.singleApp.manifestDigest);
          expect(image.platforms).toHaveLength(1);
          expect(image.platforms[0]).toMatchObject({ os: 'linux', architecture: 'amd64', digest: seed.singleApp.manifestDigest });
        });

        it('reads by digest, fetches typed manifests and verified blobs', async () => {
          const repository = registry.repository('library/golang');
          const arm = seed.golang.platforms.find((p) => p.platform.architecture === 'arm64');
          if (!arm) throw new Error('seed has no arm64 platform');
          const image = await repository.images().getByDigest(arm.manifestDigest);
          expect(image.tag).toBe('');
          expect(image.platforms[0]).toMatchObject({ os: 'linux', architecture: 'arm64', variant: 'v8' });

          const manifest = await repository.manifests().get(arm.manifestDigest);
          if (manifest.kind !== 'image') throw new Error('expected an image manifest');
          expect(manifest.config.digest).toBe(arm.configDigest);
          expect(manifest.layers.map((l) => l.digest)).toEqual(arm.layerDigests);

          const download = await repository.blobs().get(arm.layerDigests[0] as string);
          const bytes = new Uint8Array(await new Response(download.body).arrayBuffer());
          expect(bytes.byteLength).toBe(download.size);

          const list = await repository.manifests().get('1.12.0');
          expect(list.kind).toBe('index');
          expect(list.digest).toBe(seed.golang.digest);
        });

        it('resolves tags to digests with HEAD only', async () => {
          const images = registry.repository('library/golang').images();
          expect(await images.resolve('1.12.0')).toEqual({
            reference: '1.12.0',
            digest: seed.golang.digest,
            mediaType: seed.golang.mediaType,
            size: seed.golang.size,
            method: 'HEAD',
          });
          const tags = seed.manyTags.tags.slice(0, 50);
          const outcomes = await registry.repository('many/tags').images().resolveAll(tags, { concurrency: 8 });
          expect(outcomes.map((o) => (o.ok ? [o.value.digest, o.value.method] : ['error']))).toEqual(
            tags.map(() => [seed.manyTags.manifestDigest, 'HEAD']),
          );
        });

        it('lists every one of 1,050 tags', async () => {
          const tags = await registry.repository('many/tags').tags().getAll();
          expect(tags).toHaveLength(seed.manyTags.tags.length);
          expect([...tags].sort()).toEqual([...seed.manyTags.tags].sort());
        });

        it('lists every repository of the catalog across pages', async () => {
          const names = await registry.repositories({ pageSize: 50 });
          expectCatalogHoldsSeed(names, seed.repositories);
        });

        it('maps unknown tags and digests to ResourceNotFoundError', async () => {
          const images = registry.repository('library/golang').images();
          const unknownTag = await images.getByTag('no-such-tag').catch((error: unknown) => error);
          expect(ResourceNotFoundError.isInstance(unknownTag)).toBe(true);
          expect((unknownTag as ResourceNotFoundError).errors[0]?.code).toBe('MANIFEST_UNKNOWN');
          const unknownDigest = await images.getByDigest(`sha256:${'0'.repeat(64)}`).catch((error: unknown) => error);
          expect(ResourceNotFoundError.isInstance(unknownDigest)).toBe(true);
          const badTag = await images.getByTag('-bad').catch((error: unknown) => error);
          expect(InvalidReferenceError.isInstance(badTag)).toBe(true);
        });
      });
    }
  }

  describe('cross-checked with skopeo', () => {
    const open = harness.registries.open;
    const token = harness.registries.token;
    const skip = harness.skopeoMissing !== undefined;

    it.skipIf(skip)('agrees with skopeo inspect --raw on the digest and platforms', async () => {
      const raw = await inspectRaw(`${open.host}/library/golang:1.12.0`);
      const { createHash } = await import('node:crypto');
      const skopeoDigest = `sha256:${createHash('sha256').update(raw).digest('hex')}`;
      const list = JSON.parse(raw.toString('utf8')) as {
        manifests: { digest: string; platform: { os: string; architecture: string; variant?: string; 'os.version'?: string } }[];
      };
      const registry = registryFor(open, TRANSPORTS.undici?.() ?? createFallback(), authenticatorFor('open'));
      const image = await registry.repository('library/golang').images().getByTag('1.12.0');
      expect(image.digest).toBe(skopeoDigest);
      expect(image.platforms.map((p) => [platformKey(p), p.digest])).toEqual(
        list.manifests.map((m) => [platformKey({ ...m.platform, osVersion: m.platform['os.version'] }), m.digest]),
      );
    });

    it.skipIf(skip)('agrees with skopeo list-tags on the tag set, anonymously in token mode', async () => {
      const skopeoTags = await listTags(`${token.host}/many/tags`);
      const registry = registryFor(token, TRANSPORTS.fetch?.() ?? createFallback(), authenticatorFor('token'));
      const tags = await registry.repository('many/tags').tags().getAll();
      expect(new Set(tags)).toEqual(new Set(skopeoTags));
      expect(tags).toHaveLength(skopeoTags.length);
    });

    it.skipIf(skip)('agrees with skopeo on a basic-auth registry', async () => {
      const basic = harness.registries.basic;
      const raw = await inspectRaw(`${basic.host}/oci/multi:latest`, { credentials: DEFAULT_USERS.reader });
      const registry = registryFor(
        basic,
        TRANSPORTS.fetch?.() ?? createFallback(),
        authenticatorFor('basic', DEFAULT_USERS.reader),
      );
      const manifest = await registry.repository('oci/multi').manifests().get('latest');
      expect(Buffer.from(manifest.bytes).equals(raw)).toBe(true);
    });
  });

  describe('auth failures', () => {
    it('refuses anonymous reads of a private repository in token mode', async () => {
      const token = harness.registries.token;
      const registry = registryFor(token, TRANSPORTS.fetch?.() ?? createFallback(), authenticatorFor('token'));
      const error = await registry
        .repository('private/app')
        .images()
        .getByTag('v1')
        .catch((e: unknown) => e);
      expect(UnauthorizedError.isInstance(error)).toBe(true);
      expect(JSON.stringify(error)).not.toMatch(/Bearer\s+ey/);
    });

    it('fails with UnauthorizedError on wrong basic credentials, without leaking the password', async () => {
      const basic = harness.registries.basic;
      const registry = registryFor(
        basic,
        TRANSPORTS.fetch?.() ?? createFallback(),
        authenticatorFor('basic', { username: 'admin', password: 'wrong-password-x' }),
      );
      const error = await registry
        .repository('library/golang')
        .tags()
        .getAll()
        .catch((e: unknown) => e);
      expect(UnauthorizedError.isInstance(error)).toBe(true);
      expect(`${String(error)} ${JSON.stringify(error)}`).not.toContain('wrong-password-x');
    });
  });
});

function createFallback(): Transport {
  throw new Error('transport missing from TRANSPORTS');
}
