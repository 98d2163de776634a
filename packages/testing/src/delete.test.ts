import { describe, expect, it } from 'vitest';
import { buildImage } from './content/build-image';
import { MEDIA_TYPES } from './content/media-types';
import { createFakeRegistry } from './fake-registry';
import { FIXTURES } from './fixtures';
import { PROFILES } from './profiles';
import { send } from './test-support';

const UNSUPPORTED = { errors: [{ code: 'UNSUPPORTED', message: 'The operation is unsupported.' }] };

describe('DELETE', () => {
  it('deletes a manifest by digest with 202 and removes every tag pointing at it', async () => {
    const registry = createFakeRegistry({ fixtures: false });
    const image = registry.putImage('team/app', ['v1', 'latest'], buildImage());
    const other = registry.putImage('team/app', 'v2', buildImage({ layers: ['other\n'] }));
    const response = await send(registry, `/v2/team/app/manifests/${image.digest}`, { method: 'DELETE' });
    expect(response.status).toBe(202);
    expect(response.headers.get('content-length')).toBe('0');
    expect(registry.tags('team/app')).toEqual(['v2']);
    expect(registry.hasManifest('team/app', image.digest)).toBe(false);
    expect(registry.hasManifest('team/app', other.digest)).toBe(true);
    for (const ref of [image.digest, 'v1', 'latest']) {
      const get = await send(registry, `/v2/team/app/manifests/${ref}`, { headers: { accept: MEDIA_TYPES.dockerManifest } });
      expect(get.status).toBe(404);
    }
  });

  it('answers a repeated delete with 404 MANIFEST_UNKNOWN', async () => {
    const registry = createFakeRegistry();
    const path = `/v2/library/hello/manifests/${FIXTURES.hello.digest}`;
    expect((await send(registry, path, { method: 'DELETE' })).status).toBe(202);
    const again = await send(registry, path, { method: 'DELETE' });
    expect(again.status).toBe(404);
    expect(await again.json()).toEqual({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] });
  });

  it('answers a delete by tag with 400 DIGEST_INVALID and keeps the tag', async () => {
    const registry = createFakeRegistry();
    const response = await send(registry, '/v2/library/hello/manifests/latest', { method: 'DELETE' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: [{ code: 'DIGEST_INVALID', message: 'provided digest did not match uploaded content' }],
    });
    expect(registry.tags('library/hello')).toEqual(['latest']);
  });

  it('leaves a list that references a deleted child fetchable', async () => {
    const registry = createFakeRegistry();
    const child = FIXTURES.golang.platforms['linux/arm64/v8'] as string;
    expect((await send(registry, `/v2/library/golang/manifests/${child}`, { method: 'DELETE' })).status).toBe(202);
    const list = await send(registry, '/v2/library/golang/manifests/1.12.0', {
      headers: { accept: MEDIA_TYPES.dockerManifestList },
    });
    expect(list.status).toBe(200);
  });

  it('deletes a blob with 202, then answers 404 BLOB_UNKNOWN', async () => {
    const registry = createFakeRegistry();
    const digest = FIXTURES.hello.content.layers[0]?.digest as string;
    const path = `/v2/library/hello/blobs/${digest}`;
    const response = await send(registry, path, { method: 'DELETE' });
    expect(response.status).toBe(202);
    expect(registry.hasBlob('library/hello', digest)).toBe(false);
    const again = await send(registry, path, { method: 'DELETE' });
    expect(again.status).toBe(404);
    expect(await again.json()).toEqual({
      errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry', detail: digest }],
    });
    expect((await send(registry, path)).status).toBe(404);
  });

  it('answers every delete with 405 UNSUPPORTED when the profile disables deletes', async () => {
    const registry = createFakeRegistry({ profile: { ...PROFILES.distribution, deleteEnabled: false } });
    for (const path of [
      `/v2/library/hello/manifests/${FIXTURES.hello.digest}`,
      '/v2/library/hello/manifests/latest',
      `/v2/library/hello/blobs/${FIXTURES.hello.content.config.digest}`,
    ]) {
      const response = await send(registry, path, { method: 'DELETE' });
      expect(response.status).toBe(405);
      expect(await response.json()).toEqual(UNSUPPORTED);
    }
    expect(registry.hasManifest('library/hello', FIXTURES.hello.digest)).toBe(true);
  });
});
