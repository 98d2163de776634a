import { describe, expect, it } from 'vitest';
import { sha256Digest } from './content/digest';
import { MEDIA_TYPES } from './content/media-types';
import { createFakeRegistry } from './fake-registry';
import { FIXTURES } from './fixtures';
import { ALL_MANIFEST_TYPES, bodyBytes, send } from './test-support';

const { dockerManifest: V2, dockerManifestList: LIST, ociManifest: OCI, ociIndex: INDEX } = MEDIA_TYPES;
const golangAmd64 = FIXTURES.golang.platforms['linux/amd64'] as string;
const alpineAmd64 = FIXTURES.alpine.platforms['linux/amd64'] as string;
const OCI_INDEX_REFUSED = {
  errors: [{ code: 'MANIFEST_UNKNOWN', message: 'OCI index found, but accept header does not support OCI indexes' }],
};
const OCI_MANIFEST_REFUSED = {
  errors: [{ code: 'MANIFEST_UNKNOWN', message: 'OCI manifest found, but accept header does not support OCI manifests' }],
};

function get(path: string, accept?: string, method = 'GET') {
  const registry = createFakeRegistry();
  return send(registry, path, { method, headers: accept === undefined ? {} : { accept } });
}

describe('manifest GET/HEAD negotiation (distribution 2.8 matrix)', () => {
  it('serves a Docker manifest list when the list type is accepted, with all 2.8 headers', async () => {
    const response = await get('/v2/library/golang/manifests/1.12.0', ALL_MANIFEST_TYPES);
    const bytes = await bodyBytes(response);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(LIST);
    expect(response.headers.get('docker-content-digest')).toBe(FIXTURES.golang.digest);
    expect(response.headers.get('etag')).toBe(`"${FIXTURES.golang.digest}"`);
    expect(response.headers.get('content-length')).toBe(String(bytes.length));
    expect(response.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
    expect(sha256Digest(bytes)).toBe(FIXTURES.golang.digest);
  });

  it('answers HEAD with the same headers and no body', async () => {
    const response = await get('/v2/library/golang/manifests/1.12.0', ALL_MANIFEST_TYPES, 'HEAD');
    expect(response.status).toBe(200);
    expect(response.headers.get('docker-content-digest')).toBe(FIXTURES.golang.digest);
    expect(response.headers.get('content-length')).toBe(String(FIXTURES.golang.content.size));
    expect((await bodyBytes(response)).length).toBe(0);
  });

  it('answers a list by tag with only v2 accepted with the linux/amd64 child and the child digest', async () => {
    const response = await get('/v2/library/golang/manifests/1.12.0', V2);
    const bytes = await bodyBytes(response);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(V2);
    expect(response.headers.get('docker-content-digest')).toBe(golangAmd64);
    expect(sha256Digest(bytes)).toBe(golangAmd64);
  });

  it('does the same on HEAD, so a digest resolved by HEAD silently changes meaning', async () => {
    const response = await get('/v2/library/golang/manifests/1.12.0', V2, 'HEAD');
    expect(response.headers.get('docker-content-digest')).toBe(golangAmd64);
  });

  it('serves the list by digest even without the list type (no rewrite by digest)', async () => {
    const response = await get(`/v2/library/golang/manifests/${FIXTURES.golang.digest}`, V2);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(LIST);
    expect(response.headers.get('docker-content-digest')).toBe(FIXTURES.golang.digest);
  });

  it.each([[undefined], ['*/*'], [OCI]])(
    'answers a list by tag with Accept %s with 400 MANIFEST_INVALID (schema 1 conversion)',
    async (accept) => {
      const response = await get('/v2/library/golang/manifests/1.12.0', accept);
      expect(response.status).toBe(400);
      const body = (await response.json()) as { errors: { code: string; message: string }[] };
      expect(body.errors[0]).toMatchObject({ code: 'MANIFEST_INVALID', message: 'manifest invalid' });
    },
  );

  it('answers a schema 2 image by tag without v2 in Accept with 400 MANIFEST_INVALID, and serves it by digest', async () => {
    const byTag = await get('/v2/library/hello/manifests/latest', '*/*');
    expect(byTag.status).toBe(400);
    expect(((await byTag.json()) as { errors: { code: string }[] }).errors[0]?.code).toBe('MANIFEST_INVALID');
    const byDigest = await get(`/v2/library/hello/manifests/${FIXTURES.hello.digest}`);
    expect(byDigest.status).toBe(200);
    expect(byDigest.headers.get('content-type')).toBe(V2);
  });

  it('serves a schema 2 image with v2 accepted', async () => {
    const response = await get('/v2/library/hello/manifests/latest', V2);
    expect(response.status).toBe(200);
    expect(response.headers.get('docker-content-digest')).toBe(FIXTURES.hello.digest);
  });

  it.each([
    ['GET by tag', '/v2/library/alpine/manifests/latest', 'GET'],
    ['HEAD by tag', '/v2/library/alpine/manifests/latest', 'HEAD'],
    ['GET by digest', `/v2/library/alpine/manifests/${FIXTURES.alpine.digest}`, 'GET'],
  ])('answers an OCI index without the index type in Accept with 404 MANIFEST_UNKNOWN (%s)', async (_case, path, method) => {
    const response = await get(path, `${V2}, ${LIST}, ${OCI}, */*`, method);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    if (method === 'GET') expect(await response.json()).toEqual(OCI_INDEX_REFUSED);
    else expect(Number(response.headers.get('content-length'))).toBe(`${JSON.stringify(OCI_INDEX_REFUSED)}\n`.length);
  });

  it('answers an OCI manifest without the OCI manifest type in Accept with 404 MANIFEST_UNKNOWN, even by digest', async () => {
    const response = await get(`/v2/library/alpine/manifests/${alpineAmd64}`, `${V2}, ${LIST}, ${INDEX}`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual(OCI_MANIFEST_REFUSED);
  });

  it('serves OCI content when the exact types are accepted; q= parameters are ignored', async () => {
    const index = await get('/v2/library/alpine/manifests/latest', `${INDEX};q=0.1`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe(INDEX);
    const child = await get(`/v2/library/alpine/manifests/${alpineAmd64}`, ` ${OCI} ; q=0.5 `);
    expect(child.status).toBe(200);
    expect(child.headers.get('docker-content-digest')).toBe(alpineAmd64);
  });

  it('merges several Accept headers', async () => {
    const registry = createFakeRegistry();
    const headers = new Headers();
    headers.append('accept', V2);
    headers.append('accept', INDEX);
    const response = await send(registry, '/v2/library/alpine/manifests/latest', { headers });
    expect(response.status).toBe(200);
  });

  it('answers 304 to If-None-Match with the digest, quoted or not', async () => {
    for (const tag of [FIXTURES.hello.digest, `"${FIXTURES.hello.digest}"`]) {
      const registry = createFakeRegistry();
      const response = await send(registry, '/v2/library/hello/manifests/latest', {
        headers: { accept: V2, 'if-none-match': tag },
      });
      expect(response.status).toBe(304);
      expect(response.body).toBeNull();
    }
  });

  it('answers an unknown tag, unknown repository and unknown digest with 2.8 details', async () => {
    expect(await (await get('/v2/library/hello/manifests/nope', V2)).json()).toEqual({
      errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'nope' } }],
    });
    expect(await (await get('/v2/nobody/home/manifests/latest', V2)).json()).toEqual({
      errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'latest' } }],
    });
    const missing = `sha256:${'0'.repeat(64)}`;
    const response = await get(`/v2/library/hello/manifests/${missing}`, V2);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Name: 'library/hello', Revision: missing } }],
    });
  });

  it.each(['sha256:abc', `sha256:${'a'.repeat(32)}`, `sha256:${'A'.repeat(64)}`, `md5:${'a'.repeat(32)}`])(
    'answers a digest-like but malformed reference %s with 500 UNKNOWN, as 2.8 does',
    async (reference) => {
      const response = await get(`/v2/library/hello/manifests/${reference}`, V2);
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({
        errors: [
          {
            code: 'UNKNOWN',
            message: 'unknown error',
            detail: {
              Path: `/docker/registry/v2/repositories/library/hello/_manifests/tags/${reference}/current/link`,
              DriverName: 'filesystem',
            },
          },
        ],
      });
      const head = await get(`/v2/library/nope/manifests/${reference}`, V2, 'HEAD');
      expect(head.status).toBe(500);
    },
  );

  it('answers 404 MANIFEST_UNKNOWN when a list has no linux/amd64 entry for a v2-only client', async () => {
    const registry = createFakeRegistry({ fixtures: false });
    const { buildImage } = await import('./content/build-image');
    const { buildIndex } = await import('./content/build-index');
    registry.putImage('team/arm', 'latest', buildIndex({ format: 'docker', images: [buildImage({ architecture: 'arm64' })] }));
    const response = await send(registry, '/v2/team/arm/manifests/latest', { headers: { accept: V2 } });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] });
  });

  it('serves a signed schema 1 manifest whatever the Accept, with the payload digest (not sha256 of the body)', async () => {
    const registry = createFakeRegistry();
    const built = registry.putSchema1('library/old', 'v1');
    const response = await send(registry, '/v2/library/old/manifests/v1', { headers: { accept: V2 } });
    const bytes = await bodyBytes(response);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(MEDIA_TYPES.dockerSchema1Signed);
    expect(response.headers.get('docker-content-digest')).toBe(built.digest);
    expect(sha256Digest(bytes)).toBe(built.bodyDigest);
    expect(built.bodyDigest).not.toBe(built.digest);
    const byBodyDigest = await send(registry, `/v2/library/old/manifests/${built.bodyDigest}`);
    expect(byBodyDigest.status).toBe(404);
  });
});
