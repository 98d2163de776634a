/**
 * copyImage between real distribution 2.8.2 registries: content pushed by
 * skopeo is copied by regkit from the open registry to the token registry
 * (other credentials, other token) and read back byte-identical by skopeo;
 * within one registry every blob is mounted; a platform filter writes a
 * smaller index that skopeo accepts.
 */
import { createHash } from 'node:crypto';
import { copyImage, type Registry, type Transport } from '@regkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticatorFor, recordingTransport, registryFor, TRANSPORTS } from './clients';
import { DEFAULT_USERS, describeWithRegistries, inspectRaw } from './harness';
import { skopeoCopy } from './skopeo-copy';

const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describeWithRegistries('copyImage on distribution 2.8', (harness) => {
  const admin = DEFAULT_USERS.admin;
  const open = harness.registries.open;
  const token = harness.registries.token;
  const golang = harness.seed.golang;
  const distinctBlobs = new Set(golang.platforms.flatMap((p) => [p.configDigest, ...p.layerDigests])).size;

  for (const [transportName, createTransport] of Object.entries(TRANSPORTS)) {
    describe.skipIf(harness.skopeoMissing !== undefined)(`${transportName} transport`, () => {
      let sourceTransport: Transport & { seen: { method: string; url: string; status: number }[] };
      let destinationTransport: Transport & { seen: { method: string; url: string; status: number }[] };
      let source: Registry;
      let destination: Registry;
      const pushed = `skopeo-pushed/${transportName}`;

      beforeAll(async () => {
        sourceTransport = recordingTransport(createTransport());
        destinationTransport = recordingTransport(createTransport());
        source = registryFor(open, sourceTransport, authenticatorFor('open'));
        destination = registryFor(token, destinationTransport, authenticatorFor('token', admin));
        // skopeo writes the source image: regkit copies what another client pushed.
        await skopeoCopy(
          { reference: `${open.host}/${golang.repository}:${golang.tag}` },
          { reference: `${open.host}/${pushed}:v1` },
        );
      }, 120_000);
      afterAll(async () => {
        await sourceTransport.close?.();
        await destinationTransport.close?.();
      });

      it('copies a skopeo-pushed manifest list to another registry, byte-identical, each blob once', async () => {
        const progress: number[] = [];
        const result = await copyImage(source.repository(pushed), 'v1', destination.repository(`copied/${transportName}`), {
          onProgress: (p) => progress.push(p.bytesDone),
        });
        expect(result).toMatchObject({
          digest: golang.digest,
          mediaType: golang.mediaType,
          platformsFiltered: false,
          blobs: { uploaded: distinctBlobs, mounted: 0, skipped: 0 },
        });
        expect(result.bytesUploaded).toBeGreaterThan(0);
        expect(progress.at(-1)).toBe(result.bytesUploaded);
        const raw = await inspectRaw(`${token.host}/copied/${transportName}:v1`, { credentials: admin });
        expect(sha256(raw)).toBe(golang.digest);
        for (const platform of golang.platforms) {
          const child = await inspectRaw(`${token.host}/copied/${transportName}@${platform.manifestDigest}`, {
            credentials: admin,
          });
          expect(sha256(child)).toBe(platform.manifestDigest);
        }
        // Each blob went up once: one upload session per distinct blob at the destination.
        const posts = destinationTransport.seen.filter((r) => r.method === 'POST' && r.status === 202);
        expect(posts).toHaveLength(distinctBlobs);
        // Every transport here streams request bodies: each blob is one PUT carrying it, no PATCH, and the
        // existence checks and uploads share one pull,push token.
        const blobPuts = destinationTransport.seen.filter((r) => r.method === 'PUT' && r.url.includes('/blobs/uploads/'));
        expect(destinationTransport.streamsRequestBodies).toBe(true);
        expect(blobPuts).toHaveLength(distinctBlobs);
        expect(destinationTransport.seen.filter((r) => r.method === 'PATCH')).toHaveLength(0);
        const realm = token.token?.realm as string;
        expect(destinationTransport.seen.filter((r) => r.url.startsWith(realm))).toHaveLength(1);
      });

      it('skips every blob on a second copy, and skopeo copies regkit’s copy back out', async () => {
        const again = await copyImage(source.repository(pushed), 'v1', destination.repository(`copied/${transportName}`), {
          tag: 'again',
        });
        expect(again.blobs).toEqual({ uploaded: 0, mounted: 0, skipped: distinctBlobs });
        expect(again.bytesUploaded).toBe(0);
        await skopeoCopy(
          { reference: `${token.host}/copied/${transportName}:again`, credentials: admin },
          { reference: `${open.host}/roundtrip/${transportName}:v1` },
        );
        expect(sha256(await inspectRaw(`${open.host}/roundtrip/${transportName}:v1`))).toBe(golang.digest);
      });

      it('mounts every blob between repositories of one registry, uploading nothing', async () => {
        const before = destinationTransport.seen.length;
        const result = await copyImage(
          destination.repository(`copied/${transportName}`),
          golang.digest,
          destination.repository(`mounted/${transportName}`),
          { tag: 'v1' },
        );
        expect(result.blobs).toEqual({ uploaded: 0, mounted: distinctBlobs, skipped: 0 });
        expect(result.digest).toBe(golang.digest);
        const requests = destinationTransport.seen.slice(before);
        expect(requests.some((r) => r.method === 'PATCH' || (r.method === 'PUT' && r.url.includes('/blobs/')))).toBe(false);
        expect(sha256(await inspectRaw(`${token.host}/mounted/${transportName}:v1`, { credentials: admin }))).toBe(golang.digest);
      });

      it('writes a smaller index for selected platforms that skopeo reads', async () => {
        const [first] = golang.platforms;
        if (first === undefined) throw new Error('seed has no platforms');
        const selector = `${first.platform.os}/${first.platform.architecture}${first.platform.variant ? `/${first.platform.variant}` : ''}`;
        const result = await copyImage(source.repository(pushed), 'v1', destination.repository(`filtered/${transportName}`), {
          platforms: [selector],
        });
        expect(result.platformsFiltered).toBe(true);
        expect(result.digest).not.toBe(golang.digest);
        const raw = await inspectRaw(`${token.host}/filtered/${transportName}:v1`, { credentials: admin });
        expect(sha256(raw)).toBe(result.digest);
        const list = JSON.parse(raw.toString('utf8')) as { manifests: { digest: string }[] };
        expect(list.manifests.map((m) => m.digest)).toEqual([first.manifestDigest]);
        expect(result.blobs.uploaded + result.blobs.skipped).toBe(1 + first.layerDigests.length);
      });
    });
  }
});
