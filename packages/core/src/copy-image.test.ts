import { describe, expect, it } from 'vitest';
import type { Authenticator } from './authenticator';
import { type CopyProgress, copyImage } from './copy-image';
import { DigestMismatchError, InvalidOptionError, InvalidReferenceError, ResourceNotFoundError } from './errors';
import { MediaTypes } from './media-types';
import { PushTestRegistry, sha256 } from './push-test-registry';
import { Registry } from './registry';
import type { Transport, TransportRequest } from './transport';

const encode = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));
const LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';

function filled(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 7 + seed) % 256);
}

/** Seeds an OCI index (amd64, arm64 sharing one base layer, plus an attestation of amd64) in `repo`. */
function seedIndex(fake: PushTestRegistry, repo: string) {
  const base = filled(5000, 1);
  const baseDigest = fake.putBlob(repo, base);
  const platforms = ['amd64', 'arm64'].map((architecture, i) => {
    const config = encode({ architecture, os: 'linux', rootfs: { type: 'layers' } });
    const own = filled(3000 + i, 10 + i);
    const manifestBytes = encode({
      schemaVersion: 2,
      mediaType: MediaTypes.OciManifest,
      config: { mediaType: MediaTypes.OciConfig, digest: fake.putBlob(repo, config), size: config.byteLength },
      layers: [
        { mediaType: LAYER, digest: baseDigest, size: base.byteLength },
        { mediaType: LAYER, digest: fake.putBlob(repo, own), size: own.byteLength },
      ],
    });
    const digest = fake.putManifest(repo, sha256(manifestBytes), manifestBytes, MediaTypes.OciManifest);
    return { architecture, digest, size: manifestBytes.byteLength, bytes: config.byteLength + own.byteLength };
  });
  const amd64 = platforms[0];
  const emptyConfig = encode('{}');
  const statement = encode('{"predicate":{}}');
  const attestationBytes = encode({
    schemaVersion: 2,
    mediaType: MediaTypes.OciManifest,
    config: { mediaType: MediaTypes.OciEmpty, digest: fake.putBlob(repo, emptyConfig), size: emptyConfig.byteLength },
    layers: [{ mediaType: 'application/vnd.in-toto+json', digest: fake.putBlob(repo, statement), size: statement.byteLength }],
  });
  const attestation = fake.putManifest(repo, sha256(attestationBytes), attestationBytes, MediaTypes.OciManifest);
  // Odd spacing on purpose: a re-serialising copier would change the digest.
  const indexBytes = encode(
    `{"schemaVersion":2,  "mediaType":"${MediaTypes.OciIndex}","manifests":[${platforms
      .map(
        (p) =>
          `{"mediaType":"${MediaTypes.OciManifest}","digest":"${p.digest}","size":${p.size},"platform":{"architecture":"${p.architecture}","os":"linux"}}`,
      )
      .join(
        ',',
      )},{"mediaType":"${MediaTypes.OciManifest}","digest":"${attestation}","size":${attestationBytes.byteLength},"annotations":{"vnd.docker.reference.digest":"${amd64?.digest}","vnd.docker.reference.type":"attestation-manifest"},"platform":{"architecture":"unknown","os":"unknown"}}]}`,
  );
  const index = fake.putManifest(repo, 'v1', indexBytes, MediaTypes.OciIndex);
  return { index, platforms, attestation, distinctBlobs: 2 + 2 + 1 + 2 };
}

/** A transport over `inner` that holds the requests `watched` picks for 5 ms and records how many overlapped. */
function concurrencyWatch(inner: Transport, watched: (request: TransportRequest) => boolean) {
  let inFlight = 0;
  let peak = 0;
  const transport: Transport = {
    specificationVersion: 'v1',
    name: 'watched',
    async send(request) {
      if (!watched(request)) return inner.send(request);
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      return inner.send(request);
    },
  };
  return { transport, peak: () => peak };
}

function registries() {
  const source = new PushTestRegistry('http://127.0.0.1:5998');
  const destination = new PushTestRegistry('http://127.0.0.1:5999');
  const src = new Registry({ domain: '127.0.0.1:5998', transport: source });
  const dst = new Registry({ domain: '127.0.0.1:5999', transport: destination });
  return { source, destination, src, dst };
}

describe('copyImage', () => {
  it('copies an index with its children and every distinct blob once, byte for byte, under the source tag', async () => {
    const { source, destination, src, dst } = registries();
    const seeded = seedIndex(source, 'lib/app');
    const progress: number[] = [];
    const result = await copyImage(src.repository('lib/app'), 'v1', dst.repository('mirror/app'), {
      onProgress: (p) => progress.push(p.blobsDone),
    });
    expect(result).toMatchObject({
      digest: seeded.index,
      mediaType: MediaTypes.OciIndex,
      platformsFiltered: false,
      blobs: { uploaded: seeded.distinctBlobs, mounted: 0, skipped: 0 },
    });
    const stored = destination.manifests.get('mirror/app');
    expect(stored?.get('v1')?.bytes).toEqual(source.manifests.get('lib/app')?.get('v1')?.bytes);
    for (const p of seeded.platforms) expect(stored?.has(p.digest)).toBe(true);
    expect(stored?.has(seeded.attestation)).toBe(true);
    expect(destination.blobs.get('mirror/app')?.size).toBe(seeded.distinctBlobs);
    const total = [...(source.blobs.get('lib/app')?.values() ?? [])].reduce((sum, b) => sum + b.byteLength, 0);
    expect(result.bytesUploaded).toBe(total);
    expect(progress.at(-1)).toBe(seeded.distinctBlobs);
    // Each distinct blob was uploaded once: one POST each.
    expect(destination.calls.filter((c) => c.method === 'POST')).toHaveLength(seeded.distinctBlobs);
  });

  it('names the blob of each progress report, ending each blob with its size done and how it went', async () => {
    const { source, src, dst } = registries();
    const seeded = seedIndex(source, 'lib/app');
    await copyImage(src.repository('lib/app'), 'v1', dst.repository('mirror/app'), { tag: 'half', platforms: ['linux/amd64'] });
    const reports: CopyProgress[] = [];
    await copyImage(src.repository('lib/app'), 'v1', dst.repository('mirror/app'), { onProgress: (p) => reports.push(p) });
    const last = new Map<string, CopyProgress['blob']>();
    for (const report of reports) {
      const before = last.get(report.blob.digest);
      expect(before?.outcome, 'no report after a blob finished').toBeUndefined();
      expect(report.blob.done).toBeGreaterThanOrEqual(before?.done ?? 0);
      last.set(report.blob.digest, report.blob);
    }
    expect(last.size).toBe(seeded.distinctBlobs);
    const outcomes = [...last.values()].map((blob) => {
      expect(blob.done).toBe(blob.size);
      return blob.outcome;
    });
    expect(outcomes).not.toContain(undefined);
    // The amd64 copy left some blobs there already; the rest were sent.
    expect(new Set(outcomes)).toEqual(new Set(['skipped', 'uploaded']));
    // Every blob sent is announced at 0 bytes before any of it moves.
    for (const [digest, blob] of last) {
      if (blob.outcome === 'uploaded') expect(reports.find((r) => r.blob.digest === digest)?.blob.done).toBe(0);
    }
  });

  it('skips blobs the destination already has and sends no bytes', async () => {
    const { source, destination, src, dst } = registries();
    const seeded = seedIndex(source, 'lib/app');
    await copyImage(src.repository('lib/app'), 'v1', dst.repository('mirror/app'));
    destination.calls.length = 0;
    const again = await copyImage(src.repository('lib/app'), 'v1', dst.repository('mirror/app'), { tag: 'v2' });
    expect(again.blobs).toEqual({ uploaded: 0, mounted: 0, skipped: seeded.distinctBlobs });
    expect(again.bytesUploaded).toBe(0);
    expect(destination.calls.filter((c) => c.method === 'POST' || c.method === 'PATCH')).toEqual([]);
    expect(destination.manifests.get('mirror/app')?.has('v2')).toBe(true);
  });

  it('asks push scopes for every destination request, its existence checks included (one token for the copy)', async () => {
    const { source, destination, src } = registries();
    seedIndex(source, 'lib/app');
    const asked: string[] = [];
    const recording: Authenticator = {
      specificationVersion: 'v1',
      name: 'recording',
      async handleRequest(context) {
        asked.push(`${context.request.method} ${context.scopes.join(' ')}`);
        return undefined;
      },
      handleResponse: async () => ({ resend: false }),
    };
    const dst = new Registry({ domain: '127.0.0.1:5999', transport: destination, authenticator: recording });
    await copyImage(src.repository('lib/app'), 'v1', dst.repository('mirror/app'));
    expect(asked.filter((line) => line.startsWith('HEAD')).length).toBeGreaterThan(0);
    expect(new Set(asked.map((line) => line.split(' ')[1]))).toEqual(new Set(['repository:mirror/app:pull,push']));
  });

  it('mounts between repositories of the same Registry, sending no blob bytes', async () => {
    const { source, src } = registries();
    const seeded = seedIndex(source, 'lib/app');
    source.calls.length = 0;
    const result = await copyImage(src.repository('lib/app'), 'v1', src.repository('other/app'));
    expect(result.blobs).toEqual({ uploaded: 0, mounted: seeded.distinctBlobs, skipped: 0 });
    expect(result.bytesUploaded).toBe(0);
    expect(source.calls.filter((c) => c.method === 'PATCH' || (c.method === 'PUT' && c.path.includes('/blobs/')))).toEqual([]);
    expect(source.calls.filter((c) => c.method === 'POST').every((c) => c.query.includes('from=lib%2Fapp'))).toBe(true);
  });

  it('does not mount across two Registry objects, even for the same host', async () => {
    const { source, src } = registries();
    const seeded = seedIndex(source, 'lib/app');
    const twin = new Registry({ domain: '127.0.0.1:5998', transport: source });
    const result = await copyImage(src.repository('lib/app'), 'v1', twin.repository('other/app'));
    expect(result.blobs.uploaded).toBe(seeded.distinctBlobs);
  });

  it('writes a smaller index for selected platforms, keeping their attestations', async () => {
    const { source, destination, src, dst } = registries();
    const seeded = seedIndex(source, 'lib/app');
    const result = await copyImage(src.repository('lib/app'), 'v1', dst.repository('mirror/app'), { platforms: ['linux/amd64'] });
    expect(result.platformsFiltered).toBe(true);
    expect(result.digest).not.toBe(seeded.index);
    const written = destination.manifests.get('mirror/app')?.get('v1');
    const index = JSON.parse(new TextDecoder().decode(written?.bytes)) as { manifests: { digest: string }[] };
    expect(index.manifests.map((m) => m.digest)).toEqual([seeded.platforms[0]?.digest, seeded.attestation]);
    expect(sha256(written?.bytes ?? new Uint8Array())).toBe(result.digest);
    expect(destination.manifests.get('mirror/app')?.has(seeded.platforms[1]?.digest ?? '')).toBe(false);
    // amd64: config + base + own layer; attestation: empty config + statement.
    expect(result.blobs.uploaded).toBe(5);
  });

  it('keeps the index byte-exact when the filter selects every platform', async () => {
    const { source, src, dst } = registries();
    const seeded = seedIndex(source, 'lib/app');
    const result = await copyImage(src.repository('lib/app'), 'v1', dst.repository('mirror/app'), {
      platforms: ['linux/amd64', { os: 'linux', architecture: 'arm64' }],
    });
    expect(result).toMatchObject({ digest: seeded.index, platformsFiltered: false });
  });

  it('copies by digest without a tag unless one is given', async () => {
    const { source, destination, src, dst } = registries();
    const seeded = seedIndex(source, 'lib/app');
    const child = seeded.platforms[0]?.digest ?? '';
    const result = await copyImage(src.repository('lib/app'), child, dst.repository('mirror/app'));
    expect(result.digest).toBe(child);
    expect(destination.calls.at(-1)?.path).toBe(`/v2/mirror/app/manifests/${child}`);
    await copyImage(src.repository('lib/app'), child, dst.repository('mirror/app'), { tag: 'amd64' });
    expect(destination.calls.at(-1)?.path).toBe('/v2/mirror/app/manifests/amd64');
  });

  it('fails on a source blob that does not match its digest, writing no manifest', async () => {
    const { source, destination, src, dst } = registries();
    const seeded = seedIndex(source, 'lib/app');
    const [digest] = [...(source.blobs.get('lib/app')?.keys() ?? [])];
    source.blobs.get('lib/app')?.set(digest ?? '', filled(5000, 99));
    await expect(copyImage(src.repository('lib/app'), 'v1', dst.repository('mirror/app'))).rejects.toThrow(DigestMismatchError);
    expect(destination.manifests.get('mirror/app')?.size ?? 0).toBe(0);
    expect(destination.blobs.get('mirror/app')?.has(digest ?? '') ?? false).toBe(false);
    expect(seeded.index).toBeDefined();
  });

  it('starts the largest blob first, the one the copy cannot finish before', async () => {
    const { source, src, dst } = registries();
    seedIndex(source, 'lib/app');
    const sizes = new Map([...(source.blobs.get('lib/app') ?? [])].map(([digest, bytes]) => [digest, bytes.byteLength]));
    await copyImage(src.repository('lib/app'), 'v1', dst.repository('mirror/app'), { concurrency: 1 });
    const order = source.calls
      .filter((call) => call.method === 'GET' && call.path.includes('/blobs/'))
      .map((call) => sizes.get(call.path.slice(call.path.lastIndexOf('/') + 1)) ?? -1);
    expect(order).toHaveLength(sizes.size);
    expect(order).toEqual([...order].sort((a, b) => b - a));
  });

  it('writes a nested index deepest first, fetching and writing each manifest once, the children of one level at once', async () => {
    const { source, destination, src, dst } = registries();
    const seeded = seedIndex(source, 'lib/app');
    const inner = source.manifests.get('lib/app')?.get('v1')?.bytes as Uint8Array;
    const innerDigest = sha256(inner);
    const entry = (digest: string, size: number) => `{"mediaType":"${MediaTypes.OciIndex}","digest":"${digest}","size":${size}}`;
    // The outer index lists the inner one twice and one platform manifest directly as well.
    const amd64 = seeded.platforms[0] as { digest: string; size: number };
    const outer = encode(
      `{"schemaVersion":2,"mediaType":"${MediaTypes.OciIndex}","manifests":[${entry(innerDigest, inner.byteLength)},${entry(innerDigest, inner.byteLength)},{"mediaType":"${MediaTypes.OciManifest}","digest":"${amd64.digest}","size":${amd64.size}}]}`,
    );
    const outerDigest = source.putManifest('lib/app', 'nested', outer, MediaTypes.OciIndex);
    const result = await copyImage(src.repository('lib/app'), 'nested', dst.repository('mirror/app'));
    expect(result.digest).toBe(outerDigest);
    const puts = destination.calls
      .filter((c) => c.method === 'PUT' && c.path.includes('/manifests/'))
      .map((c) => c.path.split('/').at(-1));
    // The platform manifests and the attestation (depth 2, amd64 also at depth 1) before the inner index, then the outer.
    expect(puts.slice(0, 3).sort()).toEqual([amd64.digest, seeded.platforms[1]?.digest, seeded.attestation].sort());
    expect(puts.slice(3)).toEqual([innerDigest, 'nested']);
    // Listed more than once, each is fetched once.
    const gets = source.calls.filter((c) => c.method === 'GET' && c.path.includes('/manifests/sha256:'));
    expect(gets.map((c) => c.path.split('/').at(-1)).sort()).toEqual(
      [...new Set(gets.map((c) => c.path.split('/').at(-1)))].sort(),
    );
    expect(gets.filter((c) => c.path.endsWith(innerDigest))).toHaveLength(1);
  });

  it('fetches the children of an index at once', async () => {
    const { source, dst } = registries();
    seedIndex(source, 'lib/app');
    const slow = concurrencyWatch(source, (request) => /\/manifests\/sha256:/.test(request.url));
    const from = new Registry({ domain: '127.0.0.1:5998', transport: slow.transport });
    await copyImage(from.repository('lib/app'), 'v1', dst.repository('mirror/app'));
    expect(slow.peak()).toBe(3);
  });

  it("sends a blob upload's POST while the source blob's GET is on its way", async () => {
    const { source, destination, dst } = registries();
    seedIndex(source, 'lib/app');
    const log: string[] = [];
    const slowBlobs: Transport = {
      specificationVersion: 'v1',
      name: 'slow-blobs',
      async send(request) {
        if (!(request.method === 'GET' && request.url.includes('/blobs/'))) return source.send(request);
        log.push('GET sent');
        await new Promise((resolve) => setTimeout(resolve, 20));
        log.push('GET answered');
        return source.send(request);
      },
    };
    const watched: Transport = {
      specificationVersion: 'v1',
      name: 'watched',
      async send(request) {
        if (request.method === 'POST') log.push('POST sent');
        return destination.send(request);
      },
    };
    const from = new Registry({ domain: '127.0.0.1:5998', transport: slowBlobs });
    const to = new Registry({ domain: '127.0.0.1:5999', transport: watched });
    await copyImage(from.repository('lib/app'), 'v1', to.repository('mirror/app'), { concurrency: 1 });
    expect(log.slice(0, 3)).toEqual(['GET sent', 'POST sent', 'GET answered']);
    expect(dst).toBeDefined();
  });

  it('reports a source blob that cannot be read, with the upload session it opened cancelled', async () => {
    const { source, destination, src, dst } = registries();
    seedIndex(source, 'lib/app');
    const [digest] = [...(source.blobs.get('lib/app')?.keys() ?? [])];
    source.blobs.get('lib/app')?.delete(digest ?? '');
    const error = await copyImage(src.repository('lib/app'), 'v1', dst.repository('mirror/app'), { concurrency: 1 }).catch(
      (e: unknown) => e,
    );
    expect(ResourceNotFoundError.isInstance(error)).toBe(true);
    const opened = destination.calls.filter((c) => c.method === 'POST').length;
    expect(destination.calls.filter((c) => c.method === 'DELETE').length).toBe(opened);
    expect(destination.uploads.size).toBe(0);
  });

  describe('resuming a blob upload cut mid-way', () => {
    const layer = filled(40_000, 5);

    /** An image of one 40 kB layer; the destination streams uploads, the source sends 1 kB pieces. */
    function seeded(options: { ranges?: boolean } = {}) {
      const { source, destination, src, dst } = registries();
      destination.streamsRequestBodies = true;
      source.blobPieceBytes = 1000;
      source.servesRanges = options.ranges ?? true;
      const config = encode({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers' } });
      const layerDigest = source.putBlob('lib/app', layer);
      const manifest = encode({
        schemaVersion: 2,
        mediaType: MediaTypes.OciManifest,
        config: { mediaType: MediaTypes.OciConfig, digest: source.putBlob('lib/app', config), size: config.byteLength },
        layers: [{ mediaType: LAYER, digest: layerDigest, size: layer.byteLength }],
      });
      source.putManifest('lib/app', 'v1', manifest, MediaTypes.OciManifest);
      const layerGets = () =>
        source.calls.filter((c) => c.method === 'GET' && c.path.endsWith(layerDigest)).map((c) => c.headers.range ?? 'whole');
      const layerPuts = () =>
        destination.calls.filter((c) => c.method === 'PUT' && c.query.includes(layerDigest)).map((c) => c.bodyBytes);
      const copy = () => copyImage(src.repository('lib/app'), 'v1', dst.repository('mirror/app'));
      return { destination, layerDigest, layerGets, layerPuts, copy };
    }
    const isLayerPut = (digest: string) => (c: { method: string; query: string }) =>
      c.method === 'PUT' && c.query.includes(digest);

    it('reads the bytes the registry lacks again from the source, with a Range request', async () => {
      const { destination, layerDigest, layerGets, layerPuts, copy } = seeded();
      // The connection drops after 12 kB of the body; the registry stored 7 kB.
      destination.fault(isLayerPut(layerDigest), { kind: 'drop', readBytes: 12_000, keepBytes: 7000 });
      const result = await copy();
      expect(result.blobs).toEqual({ uploaded: 2, mounted: 0, skipped: 0 });
      expect(layerGets()).toEqual(['whole', 'bytes=7000-']);
      expect(layerPuts()).toEqual([12_000, 33_000]);
      expect(destination.blob('mirror/app', layerDigest)).toEqual(layer);
    });

    it('reads them again after the source was read to its end', async () => {
      const { destination, layerDigest, layerGets, layerPuts, copy } = seeded();
      destination.fault(isLayerPut(layerDigest), { kind: 'drop', keepBytes: 30_000 });
      await copy();
      expect(layerGets()).toEqual(['whole', 'bytes=30000-']);
      expect(layerPuts()).toEqual([40_000, 10_000]);
      expect(destination.blob('mirror/app', layerDigest)).toEqual(layer);
    });

    it('sends them from the bytes it kept when the source serves no ranges', async () => {
      const { destination, layerDigest, layerGets, layerPuts, copy } = seeded({ ranges: false });
      destination.fault(isLayerPut(layerDigest), { kind: 'drop', readBytes: 12_000, keepBytes: 7000 });
      await copy();
      expect(layerGets()).toEqual(['whole']);
      expect(layerPuts()).toEqual([12_000, 33_000]);
      expect(destination.blob('mirror/app', layerDigest)).toEqual(layer);
    });

    it('starts the blob over in a new session when the registry forgot the first, reading the source again', async () => {
      const { destination, layerDigest, layerGets, layerPuts, copy } = seeded();
      destination.fault(isLayerPut(layerDigest), { kind: 'forget' });
      await copy();
      expect(layerGets()).toEqual(['whole', 'whole']);
      expect(layerPuts()).toEqual([40_000, 40_000]);
      expect(destination.calls.filter((c) => c.method === 'POST')).toHaveLength(3);
      expect(destination.blob('mirror/app', layerDigest)).toEqual(layer);
    });
  });

  it('keeps at most `concurrency` blobs in flight', async () => {
    const { source, destination, src } = registries();
    seedIndex(source, 'lib/app');
    const slow = concurrencyWatch(destination, (request) => request.method === 'HEAD');
    const dst = new Registry({ domain: '127.0.0.1:5999', transport: slow.transport });
    await copyImage(src.repository('lib/app'), 'v1', dst.repository('mirror/app'), { concurrency: 2 });
    expect(slow.peak()).toBe(2);
  });

  it('refuses bad arguments before any request', async () => {
    const { source, src, dst } = registries();
    seedIndex(source, 'lib/app');
    source.calls.length = 0;
    const from = src.repository('lib/app');
    const to = dst.repository('mirror/app');
    await expect(copyImage(from, 'v1', to, { platforms: ['linux'] })).rejects.toThrow(InvalidOptionError);
    await expect(copyImage(from, 'v1', to, { concurrency: 0 })).rejects.toThrow(InvalidOptionError);
    await expect(copyImage(from, 'v1', to, { tag: 'a/b' })).rejects.toThrow(InvalidReferenceError);
    await expect(copyImage(from, 'v1', to, { platform: ['linux/amd64'] } as never)).rejects.toThrow(/did you mean `platforms`/);
    await expect(copyImage(from, 'v1', {} as never)).rejects.toThrow(InvalidOptionError);
    expect(source.calls).toEqual([]);
    await expect(copyImage(from, 'v1', to, { platforms: ['linux/s390x'] })).rejects.toThrow(/no platform/);
  });
});
