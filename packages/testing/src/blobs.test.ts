import { describe, expect, it } from 'vitest';
import { createFakeRegistry } from './fake-registry';
import { FIXTURES } from './fixtures';
import { send } from './test-support';

const CONTENT = 'abcdefghijklmnopqrstuvwxy'; // 25 bytes, as in the 2.8 observation

function setup() {
  const registry = createFakeRegistry({ fixtures: false });
  const digest = registry.putBlob('team/app', CONTENT);
  return { registry, digest, path: `/v2/team/app/blobs/${digest}` };
}

describe('blobs', () => {
  it('serves GET with 2.8 headers', async () => {
    const { registry, digest, path } = setup();
    const response = await send(registry, path);
    expect(response.status).toBe(200);
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    expect(headers).toMatchObject({
      'accept-ranges': 'bytes',
      'cache-control': 'max-age=31536000',
      'content-type': 'application/octet-stream',
      'content-length': '25',
      'docker-content-digest': digest,
      etag: `"${digest}"`,
    });
    expect(await response.text()).toBe(CONTENT);
  });

  it('serves HEAD with Content-Length and no body', async () => {
    const { registry, path } = setup();
    const response = await send(registry, path, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe('25');
    expect(await response.text()).toBe('');
  });

  it.each([
    ['bytes=0-3', 'bytes 0-3/25', 'abcd'],
    ['bytes=20-', 'bytes 20-24/25', 'uvwxy'],
    ['bytes=-3', 'bytes 22-24/25', 'wxy'],
    ['bytes=10-100', 'bytes 10-24/25', 'klmnopqrstuvwxy'],
  ])('answers Range %s with 206 and Content-Range %s', async (range, contentRange, body) => {
    const { registry, path } = setup();
    const response = await send(registry, path, { headers: { range } });
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe(contentRange);
    expect(response.headers.get('content-length')).toBe(String(body.length));
    expect(await response.text()).toBe(body);
  });

  it('answers an unsatisfiable range with 416 and bytes */size', async () => {
    const { registry, path } = setup();
    const response = await send(registry, path, { headers: { range: 'bytes=25-30' } });
    expect(response.status).toBe(416);
    expect(response.headers.get('content-range')).toBe('bytes */25');
  });

  it('serves the whole blob for a multi-range request (documented simplification)', async () => {
    const { registry, path } = setup();
    const response = await send(registry, path, { headers: { range: 'bytes=0-1,4-5' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(CONTENT);
  });

  it('answers If-None-Match with the quoted digest with 304', async () => {
    const { registry, digest, path } = setup();
    const response = await send(registry, path, { headers: { 'if-none-match': `"${digest}"` } });
    expect(response.status).toBe(304);
    expect(response.headers.get('etag')).toBe(`"${digest}"`);
  });

  it('answers an unknown blob, and a blob of another repository, with 404 BLOB_UNKNOWN', async () => {
    const { registry, digest } = setup();
    const missing = `sha256:${'0'.repeat(64)}`;
    const unknown = await send(registry, `/v2/team/app/blobs/${missing}`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry', detail: missing }],
    });
    const elsewhere = await send(registry, `/v2/team/other/blobs/${digest}`);
    expect(elsewhere.status).toBe(404);
  });

  it('answers HEAD of an unknown blob with the JSON length and no body', async () => {
    const { registry } = setup();
    const missing = `sha256:${'0'.repeat(64)}`;
    const response = await send(registry, `/v2/team/app/blobs/${missing}`, { method: 'HEAD' });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(Number(response.headers.get('content-length'))).toBeGreaterThan(0);
    expect(await response.text()).toBe('');
  });

  it.each([['sha256:abc'], [`sha256:${'A'.repeat(64)}`], [`md5:${'0'.repeat(32)}`]])(
    'answers malformed digest %s with 400 DIGEST_INVALID',
    async (digest) => {
      const { registry } = setup();
      const response = await send(registry, `/v2/team/app/blobs/${digest}`);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        errors: [{ code: 'DIGEST_INVALID', message: 'provided digest did not match uploaded content', detail: {} }],
      });
    },
  );

  it('serves fixture config blobs that are real image configs', async () => {
    const registry = createFakeRegistry();
    const config = FIXTURES.golang.content.images[2]?.config;
    const response = await send(registry, `/v2/library/golang/blobs/${config?.digest}`);
    expect(await response.json()).toMatchObject({ os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.1879' });
  });
});
