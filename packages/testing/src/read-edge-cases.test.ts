import { describe, expect, it } from 'vitest';
import { buildImage } from './content/build-image';
import { createFakeRegistry } from './fake-registry';
import { send } from './test-support';

describe('read-side answers distribution 2.8.2 gives at the edges', () => {
  describe('repository names over 255 characters', () => {
    const longest = `long/${'a'.repeat(250)}`;
    const tooLong = `long/${'a'.repeat(251)}`;

    it.each([
      ['GET', 'tags/list'],
      ['GET', 'manifests/latest'],
      ['GET', `blobs/sha256:${'0'.repeat(64)}`],
      ['DELETE', `manifests/sha256:${'0'.repeat(64)}`],
    ])('%s …/%s answers 500 UNKNOWN with the name as detail', async (method, rest) => {
      const registry = createFakeRegistry();
      const response = await send(registry, `/v2/${tooLong}/${rest}`, { method });
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({
        errors: [{ code: 'UNKNOWN', message: 'unknown error', detail: { Name: tooLong, Reason: {} } }],
      });
    });

    it('keeps 404 NAME_UNKNOWN for an unknown name of exactly 255 characters', async () => {
      expect(longest).toHaveLength(255);
      const response = await send(createFakeRegistry(), `/v2/${longest}/tags/list`);
      expect(response.status).toBe(404);
      expect((await response.json()).errors[0].code).toBe('NAME_UNKNOWN');
    });

    it('checks authorisation first, as 2.8 does', async () => {
      const registry = createFakeRegistry({ auth: 'token' });
      const response = await send(registry, `/v2/${tooLong}/tags/list`);
      expect(response.status).toBe(401);
    });
  });

  describe('416 answers keep the blob headers', () => {
    function setup() {
      const registry = createFakeRegistry({ fixtures: false });
      const digest = registry.putBlob('team/app', 'abcdefghijklmnopqrstuvwxy');
      return { registry, digest };
    }

    it('keeps Docker-Content-Digest and ETag for a range past the end, with Content-Range', async () => {
      const { registry, digest } = setup();
      const response = await send(registry, `/v2/team/app/blobs/${digest}`, { headers: { range: 'bytes=25-' } });
      expect(response.status).toBe(416);
      expect(response.headers.get('docker-content-digest')).toBe(digest);
      expect(response.headers.get('etag')).toBe(`"${digest}"`);
      expect(response.headers.get('content-range')).toBe('bytes */25');
      expect(response.headers.get('cache-control')).toBe('max-age=31536000');
    });

    it('keeps them for a range whose end is before its start, without Content-Range', async () => {
      const { registry, digest } = setup();
      const response = await send(registry, `/v2/team/app/blobs/${digest}`, { headers: { range: 'bytes=10-5' } });
      expect(response.status).toBe(416);
      expect(response.headers.get('docker-content-digest')).toBe(digest);
      expect(response.headers.get('etag')).toBe(`"${digest}"`);
      expect(response.headers.get('content-range')).toBeNull();
    });
  });

  describe('tags of a repository that was never tagged', () => {
    it('answers 404 NAME_UNKNOWN for a repository holding only blobs, which the catalog still lists', async () => {
      const registry = createFakeRegistry({ fixtures: false });
      registry.putBlob('team/blobs', 'just a blob');
      const tags = await send(registry, '/v2/team/blobs/tags/list');
      expect(tags.status).toBe(404);
      expect(await tags.json()).toEqual({
        errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry', detail: { name: 'team/blobs' } }],
      });
      const catalog = await send(registry, '/v2/_catalog');
      expect((await catalog.json()).repositories).toEqual(['team/blobs']);
    });

    it('answers 404 NAME_UNKNOWN for a repository holding only untagged manifests', async () => {
      const registry = createFakeRegistry({ fixtures: false });
      registry.putImage('team/untagged', undefined, buildImage());
      expect((await send(registry, '/v2/team/untagged/tags/list')).status).toBe(404);
    });

    it('answers an empty list once every tag is gone', async () => {
      const registry = createFakeRegistry({ fixtures: false });
      const image = registry.putImage('team/app', 'v1', buildImage());
      const deleted = await send(registry, `/v2/team/app/manifests/${image.digest}`, { method: 'DELETE' });
      expect(deleted.status).toBe(202);
      const tags = await send(registry, '/v2/team/app/tags/list');
      expect(tags.status).toBe(200);
      expect((await tags.json()).tags).toEqual([]);
    });
  });
});
