import { describe, expect, it } from 'vitest';
import { buildImage } from './content/build-image';
import { buildIndex } from './content/build-index';
import { sha256Digest } from './content/digest';
import { MEDIA_TYPES } from './content/media-types';
import { createFakeRegistry } from './fake-registry';
import { FIXTURES } from './fixtures';
import { PROFILES } from './profiles';
import { ALL_MANIFEST_TYPES, send } from './test-support';

describe('base and routing', () => {
  it('answers GET /v2/ with 200 {} and the API version header', async () => {
    const registry = createFakeRegistry();
    const response = await send(registry, '/v2/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
    expect(await response.text()).toBe('{}');
  });

  it('redirects /v2 to /v2/ with a relative Location, query kept', async () => {
    const registry = createFakeRegistry();
    const response = await send(registry, '/v2?x=1');
    expect(response.status).toBe(301);
    expect(response.headers.get('location')).toBe('/v2/?x=1');
  });

  it('redirects unclean paths to their clean form', async () => {
    const registry = createFakeRegistry();
    const response = await send(registry, '/v2//library/hello/tags/list');
    expect(response.status).toBe(301);
    expect(response.headers.get('location')).toBe('/v2/library/hello/tags/list');
  });

  it.each([
    ['upper-case repository name', '/v2/Library/hello/manifests/latest'],
    ['tag starting with a dash', '/v2/library/hello/manifests/-bad'],
    ['tag longer than 128 characters', `/v2/library/hello/manifests/${'a'.repeat(129)}`],
    ['referrers API', `/v2/library/hello/referrers/${FIXTURES.hello.digest}`],
    ['path outside /v2', '/v1/_ping'],
  ])('answers a router miss (%s) with text/plain 404 page not found', async (_case, path) => {
    const registry = createFakeRegistry();
    const response = await send(registry, path);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(response.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
    expect(await response.text()).toBe('404 page not found\n');
  });

  it('answers 405 text/plain with Allow for HEAD on tags list and catalog', async () => {
    const registry = createFakeRegistry();
    for (const path of ['/v2/library/hello/tags/list', '/v2/_catalog']) {
      const response = await send(registry, path, { method: 'HEAD' });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('GET');
    }
  });

  it('opens an upload session on POST /blobs/uploads/', async () => {
    const registry = createFakeRegistry();
    const response = await send(registry, '/v2/team/app/blobs/uploads/', { method: 'POST' });
    expect(response.status).toBe(202);
    expect(response.headers.get('location')).toMatch(
      /^https:\/\/registry\.fake\.test\/v2\/team\/app\/blobs\/uploads\/[0-9a-f-]{36}\?_state=/,
    );
  });
});

describe('seeding', () => {
  it('starts with the fixtures and restores them on reset()', async () => {
    const registry = createFakeRegistry();
    expect(registry.tags('library/golang')).toEqual(['1.12.0']);
    expect(registry.hasManifest('library/golang', FIXTURES.golang.digest)).toBe(true);
    for (const digest of Object.values(FIXTURES.golang.platforms))
      expect(registry.hasManifest('library/golang', digest)).toBe(true);
    expect(registry.hasBlob('library/hello', FIXTURES.hello.content.config.digest)).toBe(true);

    registry.putTags('team/app', 3);
    await send(registry, '/v2/');
    registry.reset();
    expect(registry.tags('team/app')).toBeUndefined();
    expect(registry.tags('library/alpine')).toEqual(['latest']);
    expect(registry.calls).toHaveLength(0);
  });

  it('starts empty with fixtures: false', async () => {
    const registry = createFakeRegistry({ fixtures: false });
    const response = await send(registry, '/v2/_catalog');
    expect(await response.json()).toEqual({ repositories: [] });
  });

  it('seed() stores images and indexes with all children and blobs under their tags', async () => {
    const registry = createFakeRegistry({ fixtures: false });
    const arm = buildImage({ architecture: 'arm', variant: 'v7', format: 'oci' });
    const index = buildIndex({ images: [buildImage({ format: 'oci' }), arm], attestations: true });
    registry.seed({ 'team/app': { v1: index, 'v1-arm': arm } });
    expect(registry.tags('team/app')).toEqual(['v1', 'v1-arm']);
    expect(registry.hasManifest('team/app', index.digest)).toBe(true);
    for (const attestation of index.attestations) expect(registry.hasManifest('team/app', attestation.digest)).toBe(true);
    for (const blob of arm.blobs) expect(registry.hasBlob('team/app', blob.digest)).toBe(true);

    const response = await send(registry, '/v2/team/app/manifests/v1-arm', { headers: { accept: ALL_MANIFEST_TYPES } });
    expect(response.headers.get('docker-content-digest')).toBe(arm.digest);
  });

  it('putManifest() stores exact bytes and infers the media type as 2.8 does', async () => {
    const registry = createFakeRegistry({ fixtures: false });
    // Odd spacing on purpose: the digest must be of these bytes, not a re-serialisation.
    const bytes = '{ "schemaVersion": 2, "manifests": [] }';
    const digest = registry.putManifest('team/raw', { bytes }, 'idx');
    expect(digest).toBe(sha256Digest(bytes));
    const response = await send(registry, '/v2/team/raw/manifests/idx', { headers: { accept: MEDIA_TYPES.ociIndex } });
    expect(response.headers.get('content-type')).toBe(MEDIA_TYPES.ociIndex);
    expect(await response.text()).toBe(bytes);
  });

  it('copies seeded bytes, so later mutation by the caller cannot corrupt stored content', async () => {
    const registry = createFakeRegistry({ fixtures: false });
    const bytes = new TextEncoder().encode('layer');
    const digest = registry.putBlob('team/app', bytes);
    bytes[0] = 0;
    const response = await send(registry, `/v2/team/app/blobs/${digest}`);
    expect(await response.text()).toBe('layer');
  });

  it('rejects invalid names, tags and dangling tags with clear errors', () => {
    const registry = createFakeRegistry({ fixtures: false });
    expect(() => registry.putBlob('Team/App', 'x')).toThrow(/invalid repository name "Team\/App"/);
    expect(() => registry.putTags('team/app', -1)).toThrow(/non-negative integer/);
    const image = registry.putImage('team/app', undefined, buildImage());
    expect(() => registry.tag('team/app', '-bad', image.digest)).toThrow(/invalid tag "-bad"/);
    expect(() => registry.tag('team/app', 'ok', `sha256:${'0'.repeat(64)}`)).toThrow(/no manifest/);
  });

  it('validates options eagerly', () => {
    expect(() => createFakeRegistry({ origin: 'registry.fake.test' })).toThrow(/origin is not a URL/);
    expect(() => createFakeRegistry({ origin: 'https://registry.fake.test/v2' })).toThrow(/without path/);
    // @ts-expect-error an unknown profile name
    expect(() => createFakeRegistry({ profile: 'harbor' })).toThrow(/unknown profile "harbor"/);
    expect(createFakeRegistry({ origin: 'http://localhost:5000/' }).origin).toBe('http://localhost:5000');
    expect(createFakeRegistry({ profile: 'distribution-2.8' }).profile).toBe(PROFILES['distribution-2.8']);
  });
});

describe('call recording', () => {
  it('records method, url, path, headers and status, redacting credentials but keeping the scheme', async () => {
    const registry = createFakeRegistry();
    await send(registry, '/v2/library/hello/manifests/latest?x=1', {
      method: 'HEAD',
      headers: { accept: MEDIA_TYPES.dockerManifest, authorization: 'Bearer s3cr3t-token', 'x-extra': 'yes' },
    });
    await send(registry, '/v2/library/nope/tags/list', { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(registry.calls).toEqual([
      {
        method: 'HEAD',
        url: 'https://registry.fake.test/v2/library/hello/manifests/latest?x=1',
        path: '/v2/library/hello/manifests/latest',
        headers: { accept: MEDIA_TYPES.dockerManifest, authorization: 'Bearer <redacted>', 'x-extra': 'yes' },
        status: 200,
      },
      expect.objectContaining({ method: 'GET', status: 404, headers: { authorization: 'Basic <redacted>' } }),
    ]);
    expect(JSON.stringify(registry.calls)).not.toContain('s3cr3t');
    registry.clearCalls();
    expect(registry.calls).toEqual([]);
  });
});
