/**
 * The write side against the real distribution 2.8.2 registry, in open and
 * token mode, through every transport: a multi-arch image pushed by regkit
 * reads back byte-identical with skopeo, mounts cost one request and no
 * bytes, a wrong digest is refused with the session cancelled, and a
 * connection cut mid-PATCH or mid-PUT (a loopback fault proxy) is resumed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  copyImage,
  DigestMismatchError,
  ManifestBlobUnknownError,
  MediaTypes,
  type Registry,
  ResourceNotFoundError,
  type Transport,
  UploadSessionLostError,
} from '@regkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticatorFor, recordingTransport, registryFor, TRANSPORTS } from './clients';
import { type FaultProxy, startFaultProxy } from './fault-proxy';
import { DEFAULT_USERS, describeWithRegistries, inspectRaw } from './harness';

const MODES = ['open', 'token'] as const;
const LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
const CHUNK = 64 * 1024;

const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** Pushes a two-platform OCI index whose amd64 layer is large enough to go up in several PATCHes. */
async function pushMultiArch(registry: Registry, repository: string, tag: string) {
  const repo = registry.repository(repository);
  const platforms = [];
  for (const [architecture, layerSize] of [
    ['amd64', 3 * CHUNK + 1234],
    ['arm64', 999],
  ] as const) {
    const layer = randomBytes(layerSize);
    const config = json({ architecture, os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(layer)] } });
    const uploadedLayer = await repo.blobs().upload(Readable.from([layer]), { chunkSize: CHUNK });
    expect(uploadedLayer).toEqual({ digest: sha256(layer), size: layerSize });
    const uploadedConfig = await repo.blobs().upload(config);
    const manifest = {
      schemaVersion: 2,
      mediaType: MediaTypes.OciManifest,
      config: { mediaType: MediaTypes.OciConfig, digest: uploadedConfig.digest, size: uploadedConfig.size },
      layers: [{ mediaType: LAYER, digest: uploadedLayer.digest, size: uploadedLayer.size }],
    };
    const { digest } = await repo.manifests().put(manifest);
    platforms.push({ digest, size: json(manifest).byteLength, architecture });
  }
  const index = {
    schemaVersion: 2,
    mediaType: MediaTypes.OciIndex,
    manifests: platforms.map((p) => ({
      mediaType: MediaTypes.OciManifest,
      digest: p.digest,
      size: p.size,
      platform: { architecture: p.architecture, os: 'linux' },
    })),
  };
  const bytes = json(index);
  const result = await repo.manifests().put(bytes, { tag });
  return { ...result, bytes, platforms };
}

describeWithRegistries('write API on distribution 2.8', (harness) => {
  const admin = DEFAULT_USERS.admin;

  for (const mode of MODES) {
    for (const [transportName, createTransport] of Object.entries(TRANSPORTS)) {
      describe(`${mode} mode, ${transportName} transport`, () => {
        const info = harness.registries[mode];
        const skopeoCreds = mode === 'open' ? {} : { credentials: admin };
        const prefix = `push/${transportName}`;
        let transport: Transport & { seen: { method: string; url: string; status: number }[] };
        let registry: Registry;

        beforeAll(() => {
          transport = recordingTransport(createTransport());
          registry = registryFor(info, transport, authenticatorFor(mode, admin));
        });
        afterAll(async () => {
          await transport.close?.();
        });
        /** Requests to the registry since `from` that it answered (challenges and token requests left out). */
        const answered = (from: number) =>
          transport.seen.slice(from).filter((r) => r.url.startsWith(info.origin) && r.status !== 401);

        it.skipIf(harness.skopeoMissing !== undefined)(
          'pushes a multi-arch image that skopeo reads back byte for byte',
          async () => {
            const pushed = await pushMultiArch(registry, `${prefix}/multi`, 'v1');
            expect(pushed.digest).toBe(sha256(pushed.bytes));
            expect(pushed.location).toBe(`${info.origin}/v2/${prefix}/multi/manifests/${pushed.digest}`);
            const raw = await inspectRaw(`${info.host}/${prefix}/multi:v1`, skopeoCreds);
            expect(sha256(raw)).toBe(pushed.digest);
            expect(Buffer.compare(raw, Buffer.from(pushed.bytes))).toBe(0);
            const child = await inspectRaw(`${info.host}/${prefix}/multi@${pushed.platforms[0]?.digest}`, skopeoCreds);
            expect(sha256(child)).toBe(pushed.platforms[0]?.digest);
            // And regkit reads what it wrote.
            const image = await registry.repository(`${prefix}/multi`).images().getByTag('v1');
            expect(image.platforms.map((p) => `${p.os}/${p.architecture}`)).toEqual(['linux/amd64', 'linux/arm64']);
          },
        );

        it('tags an existing manifest with no blob traffic', async () => {
          const pushed = await pushMultiArch(registry, `${prefix}/tagged`, 'v1');
          const before = transport.seen.length;
          await expect(registry.repository(`${prefix}/tagged`).images().tag('v1', 'stable')).resolves.toEqual({
            digest: pushed.digest,
          });
          const requests = transport.seen.slice(before);
          expect(requests.some((r) => r.url.includes('/blobs/'))).toBe(false);
          expect((await registry.repository(`${prefix}/tagged`).images().resolve('stable')).digest).toBe(pushed.digest);
        });

        it('maps MANIFEST_BLOB_UNKNOWN to ManifestBlobUnknownError', async () => {
          const missing = sha256(randomBytes(16));
          const config = await registry
            .repository(`${prefix}/broken`)
            .blobs()
            .upload(json({ os: 'linux', architecture: 'amd64' }));
          const error = await registry
            .repository(`${prefix}/broken`)
            .manifests()
            .put({
              schemaVersion: 2,
              mediaType: MediaTypes.OciManifest,
              config: { mediaType: MediaTypes.OciConfig, digest: config.digest, size: config.size },
              layers: [{ mediaType: LAYER, digest: missing, size: 16 }],
            })
            .catch((e: unknown) => e);
          expect(ManifestBlobUnknownError.isInstance(error)).toBe(true);
          expect((error as ManifestBlobUnknownError).digest).toBe(missing);
        });

        it('mounts a blob across repositories with one request and no bytes', async () => {
          const bytes = randomBytes(40_000);
          const { digest } = await registry.repository(`${prefix}/mount-from`).blobs().upload(bytes);
          const before = transport.seen.length;
          const target = registry.repository(`${prefix}/mount-to`).blobs();
          await expect(target.mount(digest, { from: `${prefix}/mount-from` })).resolves.toEqual({ mounted: true });
          expect(answered(before).map((r) => [r.method, r.status])).toEqual([['POST', 201]]);
          await expect(target.head(digest)).resolves.toEqual({ digest, size: bytes.byteLength });
        });

        it('answers a refused mount with mounted: false and cancels the session it opened', async () => {
          const digest = sha256(randomBytes(32));
          const before = transport.seen.length;
          const target = registry.repository(`${prefix}/mount-refused`).blobs();
          await expect(target.mount(digest, { from: `${prefix}/mount-from` })).resolves.toEqual({ mounted: false });
          expect(answered(before).map((r) => [r.method, r.status])).toEqual([
            ['POST', 202],
            ['DELETE', 204],
          ]);
        });

        it('rejects content that does not match the given digest and cancels the session', async () => {
          const bytes = randomBytes(3 * CHUNK);
          const wrong = sha256(randomBytes(8));
          const blobs = registry.repository(`${prefix}/wrong-digest`).blobs();
          const before = transport.seen.length;
          const error = await blobs.upload(bytes, { digest: wrong, chunkSize: CHUNK }).catch((e: unknown) => e);
          expect(DigestMismatchError.isInstance(error)).toBe(true);
          const requests = answered(before);
          expect(requests.map((r) => r.method)).toEqual(['HEAD', 'POST', 'PATCH', 'PATCH', 'DELETE']);
          expect(requests.at(-1)?.status).toBe(204);
          // The session is gone and nothing was stored under either digest.
          const session = requests.at(-1)?.url ?? '';
          const status = await registry.requester
            .send({ method: 'GET', url: session, scopes: [`repository:${prefix}/wrong-digest:pull,push`] })
            .catch((e: unknown) => e);
          expect(ResourceNotFoundError.isInstance(status)).toBe(true);
          await expect(blobs.head(sha256(bytes))).rejects.toThrow(ResourceNotFoundError);
        });

        it('skips an upload whose digest the registry already has (HEAD only)', async () => {
          const bytes = randomBytes(1000);
          const blobs = registry.repository(`${prefix}/exists`).blobs();
          await blobs.upload(bytes);
          const before = transport.seen.length;
          await expect(blobs.upload(bytes, { digest: sha256(bytes) })).resolves.toEqual({ digest: sha256(bytes), size: 1000 });
          expect(answered(before).map((r) => r.method)).toEqual(['HEAD']);
        });

        it('deletes a blob', async () => {
          const blobs = registry.repository(`${prefix}/delete`).blobs();
          const { digest } = await blobs.upload(randomBytes(100));
          await blobs.delete(digest);
          await expect(blobs.head(digest)).rejects.toThrow(ResourceNotFoundError);
        });
      });
    }
  }

  describe('a connection cut mid-upload (loopback fault proxy, open mode)', () => {
    const info = harness.registries.open;
    let proxy: FaultProxy;

    beforeAll(async () => {
      proxy = await startFaultProxy(info.host);
    });
    afterAll(async () => {
      await proxy.close();
    });

    for (const [transportName, createTransport] of Object.entries(TRANSPORTS)) {
      it(`${transportName}: resumes from the Range the session reports when the registry kept nothing of the cut chunk`, async () => {
        const transport = createTransport();
        try {
          const registry = registryFor({ host: proxy.host }, transport, authenticatorFor('open'));
          const bytes = randomBytes(4 * CHUNK + 77);
          const cutsBefore = proxy.cuts;
          const seenBefore = proxy.requests.length;
          proxy.cutNextPatch({ forwardBodyBytes: 0 });
          const result = await registry
            .repository(`cut/${transportName}/resume`)
            .blobs()
            .upload(Readable.from([bytes]), { chunkSize: CHUNK });
          expect(result).toEqual({ digest: sha256(bytes), size: bytes.byteLength });
          expect(proxy.cuts).toBe(cutsBefore + 1);
          const methods = proxy.requests.slice(seenBefore).map((line) => line.split(' ')[0]);
          // POST, the cut PATCH, the status GET, then the rest; one POST: the session survived.
          expect(methods.filter((m) => m === 'POST')).toHaveLength(1);
          expect(methods.slice(0, 3)).toEqual(['POST', 'PATCH', 'GET']);
          const read = await registry.repository(`cut/${transportName}/resume`).blobs().getBytes(result.digest);
          expect(Buffer.compare(Buffer.from(read), bytes)).toBe(0);
        } finally {
          await transport.close?.();
        }
      });

      it(`${transportName}: restarts bytes content when the registry dropped the session after a partial chunk`, async () => {
        const transport = createTransport();
        try {
          const registry = registryFor({ host: proxy.host }, transport, authenticatorFor('open'));
          const bytes = randomBytes(4 * CHUNK + 5);
          const seenBefore = proxy.requests.length;
          proxy.cutNextPatch({ forwardBodyBytes: CHUNK / 2 });
          const result = await registry.repository(`cut/${transportName}/restart`).blobs().upload(bytes, { chunkSize: CHUNK });
          expect(result.digest).toBe(sha256(bytes));
          expect(proxy.requests.slice(seenBefore).filter((line) => line.startsWith('POST'))).toHaveLength(2);
          const read = await registry.repository(`cut/${transportName}/restart`).blobs().getBytes(result.digest);
          expect(Buffer.compare(Buffer.from(read), bytes)).toBe(0);
        } finally {
          await transport.close?.();
        }
      });

      it(`${transportName}: resumes a streamed upload (no chunkSize) cut mid-PATCH when the registry kept nothing`, async () => {
        const transport = createTransport();
        if (transport.streamsRequestBodies !== true) {
          // Over fetch the upload goes in 8 MiB chunks, covered above.
          await transport.close?.();
          return;
        }
        try {
          const registry = registryFor({ host: proxy.host }, transport, authenticatorFor('open'));
          const bytes = randomBytes(16 * CHUNK + 3);
          const cutsBefore = proxy.cuts;
          const seenBefore = proxy.requests.length;
          proxy.cutNextPatch({ forwardBodyBytes: 0 });
          const blobs = registry.repository(`cut/${transportName}/streamed`).blobs();
          const result = await blobs.upload(Readable.from([bytes.subarray(0, 5 * CHUNK), bytes.subarray(5 * CHUNK)]));
          expect(result).toEqual({ digest: sha256(bytes), size: bytes.byteLength });
          expect(proxy.cuts).toBe(cutsBefore + 1);
          // POST, the cut PATCH, the status GET, the whole body again in one PATCH (the proxy stops
          // reading a connection after a chunked body, so the closing PUT may not show).
          const methods = proxy.requests.slice(seenBefore).map((line) => line.split(' ')[0]);
          expect(methods.slice(0, 4)).toEqual(['POST', 'PATCH', 'GET', 'PATCH']);
          const read = await blobs.getBytes(result.digest);
          expect(Buffer.compare(Buffer.from(read), bytes)).toBe(0);
        } finally {
          await transport.close?.();
        }
      });

      it(`${transportName}: a copy cut mid-blob sends the blob again, read again from the source registry`, async () => {
        // Counted at the transports: the proxy stops parsing a connection after a chunked body.
        const transport = recordingTransport(createTransport());
        const sourceTransport = recordingTransport(createTransport());
        try {
          const plain = registryFor(info, sourceTransport, authenticatorFor('open'));
          const pushed = await pushMultiArch(plain, `cut/${transportName}/copy-source`, 'v1');
          const amd64 = await plain
            .repository(`cut/${transportName}/copy-source`)
            .manifests()
            .get(pushed.platforms[0]?.digest as string);
          const layer = (amd64.kind === 'image' ? amd64.layers[0]?.digest : undefined) as string;
          const source = registryFor(info, sourceTransport, authenticatorFor('open'));
          const destination = registryFor({ host: proxy.host }, transport, authenticatorFor('open'));
          const layerReads = () =>
            sourceTransport.seen.filter((r) => r.method === 'GET' && r.url.endsWith(layer)).map((r) => r.range ?? 'whole');
          const posts = () => transport.seen.filter((r) => r.method === 'POST');
          // Nothing of the cut PUT reached the registry: the session holds 0 bytes and the blob resumes from there.
          // Then a cut after 100 kB: distribution drops a session whose size no longer matches its state, so the
          // blob starts over in a new session. Either way the layer is read again from the source: no bytes are
          // kept to send again.
          for (const [round, forwardBodyBytes] of [0, 100_000].entries()) {
            const cutsBefore = proxy.cuts;
            transport.seen.length = 0;
            sourceTransport.seen.length = 0;
            proxy.cutNextPut({ forwardBodyBytes });
            const target = destination.repository(`cut/${transportName}/copy-${round}`);
            // One blob at a time, largest first: the cut PUT is the layer's.
            const result = await copyImage(source.repository(`cut/${transportName}/copy-source`), 'v1', target, {
              concurrency: 1,
            });
            expect(result.digest).toBe(pushed.digest);
            expect(proxy.cuts).toBe(cutsBefore + 1);
            expect(layerReads()).toEqual(['whole', 'whole']);
            // One POST per blob (4), plus one for the layer started over.
            expect(posts()).toHaveLength(forwardBodyBytes === 0 ? 4 : 5);
            const read = await target.blobs().getBytes(layer);
            expect(sha256(read)).toBe(layer);
          }
        } finally {
          await transport.close?.();
          await sourceTransport.close?.();
        }
      });

      it(`${transportName}: fails a stream with UploadSessionLostError when the session is gone, storing nothing`, async () => {
        const transport = createTransport();
        try {
          const registry = registryFor({ host: proxy.host }, transport, authenticatorFor('open'));
          const bytes = randomBytes(4 * CHUNK + 5);
          proxy.cutNextPatch({ forwardBodyBytes: CHUNK / 2 });
          const blobs = registry.repository(`cut/${transportName}/lost`).blobs();
          const error = await blobs.upload(Readable.from([bytes]), { chunkSize: CHUNK }).catch((e: unknown) => e);
          expect(UploadSessionLostError.isInstance(error)).toBe(true);
          await expect(blobs.head(sha256(bytes))).rejects.toThrow(ResourceNotFoundError);
        } finally {
          await transport.close?.();
        }
      });
    }
  });
});
