import { HttpResponse, http } from 'msw';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DigestMismatchError, InvalidManifestError, SchemaV1NotSupportedError } from './errors';
import { parseManifest } from './manifest';
import { MediaTypes } from './media-types';
import { Registry } from './registry';
import { blob, bytesOf, mswServer, ORIGIN, rejectionOf, sha256 } from './test-support';

const server = mswServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const config = blob({ architecture: 'amd64', os: 'linux' });
const descriptor = { mediaType: MediaTypes.OciConfig, digest: config.digest, size: config.bytes.byteLength };
const child = {
  mediaType: MediaTypes.OciManifest,
  digest: config.digest,
  size: 10,
  platform: { os: 'linux', architecture: 'amd64' },
};
/** Both an index and an image: CVE-2021-41190. */
const both = bytesOf({ schemaVersion: 2, config: descriptor, layers: [], manifests: [child] });

describe('ambiguous manifests', () => {
  it.each([
    ['an OCI index', MediaTypes.OciIndex],
    ['a Docker list', MediaTypes.DockerManifestList],
    ['an OCI manifest', MediaTypes.OciManifest],
    ['a Docker manifest', MediaTypes.DockerManifest],
    ['no Content-Type', ''],
    ['application/json', 'application/json'],
  ])('refuses manifests together with config/layers, read as %s', (_, contentType) => {
    expect(() => parseManifest(both, contentType, sha256(both))).toThrow(InvalidManifestError);
  });

  it('refuses an index carrying layers only, and an image carrying an empty manifests list', () => {
    const indexWithLayers = bytesOf({ schemaVersion: 2, mediaType: MediaTypes.OciIndex, manifests: [child], layers: [] });
    expect(() => parseManifest(indexWithLayers, MediaTypes.OciIndex, sha256(indexWithLayers))).toThrow(/layers must not appear/);
    const imageWithManifests = bytesOf({
      schemaVersion: 2,
      mediaType: MediaTypes.OciManifest,
      config: descriptor,
      manifests: [],
    });
    expect(() => parseManifest(imageWithManifests, MediaTypes.OciManifest, sha256(imageWithManifests))).toThrow(
      /manifests must not appear/,
    );
  });

  it('still reads unambiguous documents, and null fields are not a second reading', () => {
    const image = bytesOf({
      schemaVersion: 2,
      mediaType: MediaTypes.OciManifest,
      config: descriptor,
      layers: [],
      manifests: null,
    });
    expect(parseManifest(image, MediaTypes.OciManifest, sha256(image)).kind).toBe('image');
    const index = bytesOf({ schemaVersion: 2, mediaType: MediaTypes.OciIndex, manifests: [child] });
    expect(parseManifest(index, MediaTypes.OciIndex, sha256(index)).kind).toBe('index');
  });

  it('refuses the ambiguous document through images().getByTag whatever the registry says it is', async () => {
    server.use(
      http.get(
        `${ORIGIN}/v2/x/manifests/v1`,
        () =>
          new HttpResponse(both, { headers: { 'content-type': MediaTypes.OciManifest, 'docker-content-digest': sha256(both) } }),
      ),
    );
    const error = await rejectionOf(new Registry({ domain: 'registry.test' }).repository('x').images().getByTag('v1'));
    expect(InvalidManifestError.isInstance(error)).toBe(true);
  });
});

describe('schema 1 under a generic Content-Type', () => {
  // A signed schema 1 manifest: its Docker-Content-Digest hashes the payload without the signatures.
  const schema1 = bytesOf({ schemaVersion: 1, name: 'old', tag: 'v1', fsLayers: [], signatures: [{ header: {} }] });
  const payloadDigest = sha256('a different payload');

  it.each(['application/json', 'application/octet-stream', 'text/plain', ''])(
    'is SchemaV1NotSupportedError, not DigestMismatchError (Content-Type %j)',
    async (contentType) => {
      server.use(
        http.get(`${ORIGIN}/v2/old/manifests/:reference`, () => {
          const headers: Record<string, string> = { 'docker-content-digest': payloadDigest };
          if (contentType !== '') headers['content-type'] = contentType;
          const response = new HttpResponse(schema1, { headers });
          if (contentType === '') response.headers.delete('content-type');
          return response;
        }),
      );
      const repo = new Registry({ domain: 'registry.test' }).repository('old');
      const byTag = await rejectionOf(repo.images().getByTag('v1'));
      expect(DigestMismatchError.isInstance(byTag)).toBe(false);
      expect(SchemaV1NotSupportedError.isInstance(byTag)).toBe(true);
      const byDigest = await rejectionOf(repo.manifests().get(payloadDigest));
      expect(SchemaV1NotSupportedError.isInstance(byDigest)).toBe(true);
    },
  );
});
