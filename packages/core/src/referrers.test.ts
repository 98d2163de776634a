import { describe, expect, it } from 'vitest';
import { InvalidOptionError, ReferrersIndexError, TagDeleteUnsupportedError, UnsupportedOperationError } from './errors';
import { MediaTypes } from './media-types';
import { pushArtifact } from './push-artifact';
import { referrersTag } from './referrers';
import { type ReferrersTestOptions, ReferrersTestRegistry, sha256 } from './referrers-test-registry';
import { Registry } from './registry';
import { rejectionOf } from './test-support';

const REPO = 'team/app';
const SBOM = 'application/spdx+json';
const SIG = 'application/vnd.dev.cosign.artifact.sig.v1+json';
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

function setup(options: ReferrersTestOptions) {
  const fake = new ReferrersTestRegistry(options);
  const config = encode({ os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: [] } });
  fake.push.putBlob(REPO, config);
  const image = encode({
    schemaVersion: 2,
    mediaType: MediaTypes.OciManifest,
    config: { mediaType: MediaTypes.OciConfig, digest: sha256(config), size: config.byteLength },
    layers: [],
  });
  const digest = fake.push.putManifest(REPO, 'v1', image, MediaTypes.OciManifest);
  fake.push.putManifest(REPO, 'stable', image, MediaTypes.OciManifest);
  const registry = new Registry({ domain: '127.0.0.1:5999', transport: fake, retry: { limit: 0 } });
  const repository = registry.repository(REPO);
  return { fake, registry, repository, subject: { mediaType: MediaTypes.OciManifest, digest, size: image.byteLength } };
}

const rivalDigestOf = (bytes: Uint8Array) => sha256(bytes);

async function attachTwo(setupResult: ReturnType<typeof setup>) {
  const { repository, subject } = setupResult;
  const sbom = await pushArtifact(repository, {
    subject,
    artifactType: SBOM,
    files: [{ mediaType: SBOM, content: '{"spdxVersion":"SPDX-2.3"}', name: 'sbom.spdx.json' }],
    annotations: { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' },
  });
  const signature = await pushArtifact(repository, { subject: subject.digest, artifactType: SIG, files: [] });
  return { sbom, signature };
}

describe('pushArtifact', () => {
  it('writes an OCI 1.1 artifact manifest with the empty config and titled layers', async () => {
    const context = setup({ api: true });
    const { sbom } = await attachTwo(context);
    const manifest = context.fake.manifestJson(REPO, sbom.digest);
    expect(manifest).toMatchObject({
      schemaVersion: 2,
      mediaType: MediaTypes.OciManifest,
      artifactType: SBOM,
      config: { mediaType: MediaTypes.OciEmpty, digest: sha256(new TextEncoder().encode('{}')), size: 2 },
      layers: [{ mediaType: SBOM, annotations: { 'org.opencontainers.image.title': 'sbom.spdx.json' } }],
      subject: context.subject,
      annotations: { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' },
    });
    expect(context.fake.push.blob(REPO, sha256(new TextEncoder().encode('{}')))).toEqual(new TextEncoder().encode('{}'));
    expect(sbom.referrers).toBe('registry');
  });

  it('finds the size and media type of a subject given as a digest with one HEAD, and uses the empty layer without files', async () => {
    const context = setup({ api: true });
    const { signature } = await attachTwo(context);
    expect(signature.subject).toEqual(context.subject);
    expect(context.fake.calls).toContain(`HEAD /v2/${REPO}/manifests/${context.subject.digest}`);
    expect(context.fake.manifestJson(REPO, signature.digest)?.layers).toEqual([
      { mediaType: MediaTypes.OciEmpty, digest: sha256(new TextEncoder().encode('{}')), size: 2, data: 'e30=' },
    ]);
  });

  it('refuses malformed options with typed errors', async () => {
    const { repository, subject } = setup({ api: true });
    const bad: unknown[] = [
      { subject, artifactType: 'not a type' },
      { subject, artifactType: SBOM, files: [{ mediaType: SBOM }] },
      { subject, artifactType: SBOM, file: [] },
      { subject, artifactType: SBOM, files: [{ mediaType: SBOM, content: 'x', title: 'a' }] },
      { subject, artifactType: SBOM, tag: 'bad tag' },
      { artifactType: SBOM },
    ];
    for (const options of bad) {
      expect(InvalidOptionError.isInstance(await rejectionOf(pushArtifact(repository, options as never)))).toBe(true);
    }
  });
});

describe('referrers() through the API', () => {
  it('lists with one request per page and remembers the API', async () => {
    const context = setup({ api: true, pageSize: 1 });
    const { sbom, signature } = await attachTwo(context);
    context.fake.calls.length = 0;
    const all = await context.repository.referrers().getAll(context.subject.digest);
    expect(all.map((entry) => [entry.digest, entry.artifactType])).toEqual(
      expect.arrayContaining([
        [sbom.digest, SBOM],
        [signature.digest, SIG],
      ]),
    );
    expect(all).toHaveLength(2);
    expect(context.fake.calls).toEqual([
      `GET /v2/${REPO}/referrers/${context.subject.digest}`,
      `GET /v2/${REPO}/referrers/${context.subject.digest}?page=1`,
    ]);
    expect(all.find((entry) => entry.digest === sbom.digest)?.annotations).toEqual({
      'org.opencontainers.image.created': '2024-01-01T00:00:00Z',
    });
  });

  it('trusts OCI-Filters-Applied and filters itself when the registry did not', async () => {
    for (const filters of [true, false]) {
      const context = setup({ api: true, filters });
      const { sbom } = await attachTwo(context);
      context.fake.calls.length = 0;
      const found = [];
      for await (const entry of context.repository.referrers().list(context.subject.digest, { artifactType: SBOM }))
        found.push(entry);
      expect(found.map((entry) => entry.digest)).toEqual([sbom.digest]);
      expect(context.fake.calls).toEqual([
        `GET /v2/${REPO}/referrers/${context.subject.digest}?artifactType=${encodeURIComponent(SBOM)}`,
      ]);
    }
  });

  it('does not maintain a fallback tag when the registry answers OCI-Subject', async () => {
    const context = setup({ api: true });
    await attachTwo(context);
    expect(context.fake.manifests(REPO).has(referrersTag(context.subject.digest))).toBe(false);
  });
});

describe('referrers() through the tag fallback', () => {
  it('maintains the sha256-<hex> index when the registry does not answer OCI-Subject', async () => {
    const context = setup({ api: false });
    const { sbom, signature } = await attachTwo(context);
    expect(sbom.referrers).toBe('fallback-tag');
    const index = context.fake.manifestJson(REPO, referrersTag(context.subject.digest));
    expect(index).toMatchObject({ schemaVersion: 2, mediaType: MediaTypes.OciIndex });
    expect(index?.manifests).toEqual([
      {
        mediaType: MediaTypes.OciManifest,
        digest: sbom.digest,
        size: sbom.size,
        artifactType: SBOM,
        annotations: { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' },
      },
      { mediaType: MediaTypes.OciManifest, digest: signature.digest, size: signature.size, artifactType: SIG },
    ]);
  });

  it('probes the API once, then costs one manifest GET per listing', async () => {
    const context = setup({ api: false });
    const { sbom, signature } = await attachTwo(context);
    const tag = referrersTag(context.subject.digest);
    context.fake.calls.length = 0;
    const all = await context.repository.referrers().getAll(context.subject.digest);
    expect(all.map((entry) => entry.digest)).toEqual([sbom.digest, signature.digest]);
    expect(context.fake.calls).toEqual([
      `GET /v2/${REPO}/referrers/${context.subject.digest}`,
      `GET /v2/${REPO}/manifests/${tag}`,
    ]);

    context.fake.calls.length = 0;
    const signatures = await context.registry.repository(REPO).referrers().getAll(context.subject.digest, { artifactType: SIG });
    expect(signatures.map((entry) => entry.digest)).toEqual([signature.digest]);
    expect(context.fake.calls).toEqual([`GET /v2/${REPO}/manifests/${tag}`]);
  });

  it('reads no tag, or a tag that is not an index, as no referrers', async () => {
    const context = setup({ api: false });
    expect(await context.repository.referrers().getAll(context.subject.digest)).toEqual([]);
    const other = context.fake.manifestJson(REPO, 'v1');
    context.fake.push.putManifest(REPO, referrersTag(context.subject.digest), encode(other), MediaTypes.OciManifest);
    expect(await context.repository.referrers().getAll(context.subject.digest)).toEqual([]);
    const error = await rejectionOf(pushArtifact(context.repository, { subject: context.subject, artifactType: SIG }));
    expect(ReferrersIndexError.isInstance(error)).toBe(true);
  });

  it('removes a deleted artifact from the fallback index', async () => {
    const context = setup({ api: false });
    const { sbom, signature } = await attachTwo(context);
    await context.repository.images().deleteByDigest(sbom.digest);
    expect(context.fake.manifests(REPO).has(sbom.digest)).toBe(false);
    const entries = context.fake.manifestJson(REPO, referrersTag(context.subject.digest))?.manifests as { digest: string }[];
    expect(entries.map((entry) => entry.digest)).toEqual([signature.digest]);
    expect((await context.repository.referrers().getAll(context.subject.digest)).map((entry) => entry.digest)).toEqual([
      signature.digest,
    ]);
  });

  it('re-reads and re-merges when another writer replaced the index in between', async () => {
    const context = setup({ api: false });
    const tag = referrersTag(context.subject.digest);
    const rivalBytes = encode({ ...context.fake.manifestJson(REPO, 'v1'), annotations: { rival: 'yes' } });
    const rivalDigest = context.fake.push.putManifest(REPO, rivalDigestOf(rivalBytes), rivalBytes, MediaTypes.OciManifest);
    const rival = {
      mediaType: MediaTypes.OciManifest,
      digest: rivalDigest,
      size: rivalBytes.byteLength,
      artifactType: 'application/x-rival',
    };
    let raced = false;
    context.fake.beforeAnswer = (call) => {
      // Right after our first index PUT, a rival that read the empty tag writes its own one-entry index.
      if (!raced && call === `HEAD /v2/${REPO}/manifests/${tag}`) {
        raced = true;
        const index = encode({ schemaVersion: 2, mediaType: MediaTypes.OciIndex, manifests: [rival] });
        context.fake.push.putManifest(REPO, tag, index, MediaTypes.OciIndex);
      }
    };
    const sbom = await pushArtifact(context.repository, { subject: context.subject, artifactType: SBOM });
    expect(raced).toBe(true);
    const entries = context.fake.manifestJson(REPO, tag)?.manifests as { digest: string }[];
    expect(entries.map((entry) => entry.digest)).toEqual([rival.digest, sbom.digest]);
    expect(context.fake.calls.filter((call) => call === `PUT /v2/${REPO}/manifests/${tag}`)).toHaveLength(2);
  });
});

describe('tags().delete()', () => {
  it('deletes with DELETE when the registry allows it', async () => {
    const context = setup({ api: true, tagDelete: true });
    expect(await context.repository.tags().delete('stable')).toEqual({ method: 'delete' });
    expect(context.fake.manifests(REPO).has('stable')).toBe(false);
    expect(context.fake.manifests(REPO).has('v1')).toBe(true);
  });

  it('says how to opt in when the registry refuses (2.8), and changes nothing', async () => {
    const context = setup({ api: false });
    const error = await rejectionOf(context.repository.tags().delete('stable'));
    expect(TagDeleteUnsupportedError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('{ fallback: true }');
    expect(context.fake.manifests(REPO).has('stable')).toBe(true);
  });

  it('with fallback, deletes the tag through a unique empty manifest and keeps the other tags', async () => {
    const context = setup({ api: false });
    expect(await context.repository.tags().delete('stable', { fallback: true })).toEqual({ method: 'fallback' });
    expect(context.fake.manifests(REPO).has('stable')).toBe(false);
    expect((await context.repository.images().resolve('v1')).digest).toBe(context.subject.digest);
    expect(context.fake.manifests(REPO).has(context.subject.digest)).toBe(true);
  });

  it('points the tag back when the digest delete is refused too', async () => {
    const context = setup({ api: false, deleteDisabled: true });
    const error = await rejectionOf(context.repository.tags().delete('stable', { fallback: true }));
    expect(UnsupportedOperationError.isInstance(error)).toBe(true);
    expect((await context.repository.images().resolve('stable')).digest).toBe(context.subject.digest);
  });
});

describe('referrers() safety rails', () => {
  function answering(pages: (url: URL) => { body: unknown; headers?: Record<string, string>; status?: number }) {
    const calls: string[] = [];
    const transport = {
      specificationVersion: 'v1' as const,
      name: 'scripted',
      async send(request: { url: string; method: string }) {
        const url = new URL(request.url);
        calls.push(`${request.method} ${url.pathname}${url.search}`);
        const { body, headers = {}, status = 200 } = pages(url);
        const bytes = new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body));
        return {
          status,
          url: request.url,
          headers: { 'content-type': MediaTypes.OciIndex, 'content-length': String(bytes.byteLength), ...headers },
          body: new ReadableStream<Uint8Array>({
            start(controller) {
              controller.enqueue(bytes);
              controller.close();
            },
          }),
        };
      },
    };
    const registry = new Registry({ domain: '127.0.0.1:5999', transport, retry: { limit: 0 } });
    return { calls, referrers: registry.repository(REPO).referrers() };
  }
  const subject = sha256(encode('subject'));
  const emptyIndex = { schemaVersion: 2, mediaType: MediaTypes.OciIndex, manifests: [] };

  it('refuses a next link to another origin, a loop, and more pages than maxPages', async () => {
    const crossOrigin = answering(() => ({ body: emptyIndex, headers: { link: '<https://elsewhere.test/v2/x>; rel="next"' } }));
    expect((await rejectionOf(crossOrigin.referrers.getAll(subject))) as Error).toMatchObject({ name: 'PaginationError' });

    const loop = answering(() => ({ body: emptyIndex, headers: { link: `</v2/${REPO}/referrers/${subject}>; rel="next"` } }));
    expect(((await rejectionOf(loop.referrers.getAll(subject))) as Error).message).toContain('loops back');
    expect(loop.calls).toHaveLength(1);

    const endless = answering((url) => ({
      body: emptyIndex,
      headers: { link: `</v2/${REPO}/referrers/${subject}?page=${Number(url.searchParams.get('page') ?? 0) + 1}>; rel="next"` },
    }));
    expect(((await rejectionOf(endless.referrers.getAll(subject, { maxPages: 3 }))) as Error).message).toContain('3 pages');
    expect(endless.calls).toHaveLength(3);
  });

  it('refuses a page that is not an OCI index, and a body that contradicts Docker-Content-Digest', async () => {
    const notIndex = answering(() => ({
      body: {
        schemaVersion: 2,
        mediaType: MediaTypes.OciManifest,
        config: { mediaType: MediaTypes.OciEmpty, digest: sha256(encode({})), size: 2 },
        layers: [],
      },
      headers: { 'content-type': MediaTypes.OciManifest },
    }));
    expect(((await rejectionOf(notIndex.referrers.getAll(subject))) as Error).name).toBe('PaginationError');
    const lying = answering(() => ({ body: emptyIndex, headers: { 'docker-content-digest': sha256(encode('other')) } }));
    expect(((await rejectionOf(lying.referrers.getAll(subject))) as Error).name).toBe('DigestMismatchError');
  });

  it('reads the tag on a NAME_UNKNOWN 404 but does not remember the registry as lacking the API', async () => {
    const unknown = answering((url) =>
      url.pathname.includes('/referrers/')
        ? {
            status: 404,
            body: { errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known' }] },
            headers: { 'content-type': 'application/json' },
          }
        : {
            status: 404,
            body: { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] },
            headers: { 'content-type': 'application/json' },
          },
    );
    expect(await unknown.referrers.getAll(subject)).toEqual([]);
    expect(await unknown.referrers.getAll(subject)).toEqual([]);
    // Both listings probe the API: a NAME_UNKNOWN does not prove the API missing.
    expect(unknown.calls.filter((call) => call.includes('/referrers/'))).toHaveLength(2);
  });

  it('takes a 404 that carries an OCI index as the API answering, not as a registry without it', async () => {
    const entry = { mediaType: MediaTypes.OciManifest, digest: sha256(encode('sig')), size: 3, artifactType: SIG };
    const answeringIndex = answering((url) =>
      url.pathname.includes('/referrers/')
        ? { status: 404, body: { ...emptyIndex, manifests: [entry] } }
        : { status: 500, body: { errors: [{ code: 'UNKNOWN', message: 'the fallback tag must not be read' }] } },
    );
    expect(await answeringIndex.referrers.getAll(subject)).toEqual([entry]);
    expect(await answeringIndex.referrers.getAll(subject, { artifactType: SBOM })).toEqual([]);
    expect(answeringIndex.calls.every((call) => call.includes('/referrers/'))).toBe(true);
    expect(answeringIndex.calls).toHaveLength(2);
  });
});

describe('referrersTag', () => {
  it('is <alg>-<hex> with the encoded part cut to 64 characters', () => {
    expect(referrersTag(`sha256:${'a'.repeat(64)}`)).toBe(`sha256-${'a'.repeat(64)}`);
    expect(referrersTag(`sha512:${'b'.repeat(128)}`)).toBe(`sha512-${'b'.repeat(64)}`);
    expect(() => referrersTag('sha256:abc')).toThrow();
  });
});

describe('which way works is remembered per Registry', () => {
  it('a second Registry on the same registry probes the API again', async () => {
    const context = setup({ api: false });
    await attachTwo(context);
    await context.repository.referrers().getAll(context.subject.digest);
    context.fake.calls.length = 0;
    const other = new Registry({ domain: '127.0.0.1:5999', transport: context.fake, retry: { limit: 0 } });
    await other.repository(REPO).referrers().getAll(context.subject.digest);
    await context.registry.repository(REPO).referrers().getAll(context.subject.digest);
    expect(context.fake.calls.filter((call) => call.includes('/referrers/'))).toHaveLength(1);
  });
});
