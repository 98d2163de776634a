import { describe, expect, it } from 'vitest';
import { buildImage } from './content/build-image';
import { buildIndex } from './content/build-index';
import { sha256Digest } from './content/digest';
import { MEDIA_TYPES } from './content/media-types';
import { createFakeDockerHub } from './docker-hub';
import { createFakeRegistry, type FakeRegistry } from './fake-registry';
import { PROFILES } from './profiles';
import { send } from './test-support';

const encoder = new TextEncoder();
const CONTENT = encoder.encode('0123456789abcdefghij'); // 20 bytes
const DIGEST = sha256Digest(CONTENT);

async function start(registry: FakeRegistry, name = 'team/app', query = '', init: RequestInit = {}) {
  const response = await send(registry, `/v2/${name}/blobs/uploads/${query}`, { method: 'POST', ...init });
  return { response, location: response.headers.get('location') ?? '' };
}

function at(location: string, init: RequestInit = {}, extra = ''): Request {
  return new Request(`${location}${extra}`, init);
}

async function errorCode(response: Response): Promise<string | undefined> {
  return ((await response.json()) as { errors: { code: string }[] }).errors[0]?.code;
}

describe('blob upload sessions, as distribution 2.8 takes them', () => {
  it('POST answers 202 with Location, a changing _state, Docker-Upload-UUID and Range 0-0', async () => {
    const registry = createFakeRegistry({ fixtures: false });
    const { response, location } = await start(registry);
    expect(response.status).toBe(202);
    expect(response.headers.get('range')).toBe('0-0');
    expect(response.headers.get('content-length')).toBe('0');
    const uuid = response.headers.get('docker-upload-uuid');
    expect(location).toContain(`/blobs/uploads/${uuid}?_state=`);
    expect(response.headers.get('oci-chunk-min-length')).toBeNull();
  });

  it('takes chunks with PATCH, reports Range and a new Location each time, and closes with PUT ?digest=', async () => {
    const registry = createFakeRegistry({ fixtures: false });
    const { location } = await start(registry);
    const first = await registry.handle(
      at(location, { method: 'PATCH', body: CONTENT.slice(0, 8), headers: { 'content-range': '0-7' } }),
    );
    expect(first.status).toBe(202);
    expect(first.headers.get('range')).toBe('0-7');
    const second = first.headers.get('location') ?? '';
    expect(second).not.toBe(location);
    // A stale Location is refused: always use the newest.
    const stale = await registry.handle(at(location, { method: 'PATCH', body: CONTENT.slice(8) }));
    expect(stale.status).toBe(404);
    expect(await errorCode(stale)).toBe('BLOB_UPLOAD_INVALID');
    const status = await registry.handle(at(second));
    expect(status.status).toBe(204);
    expect(status.headers.get('range')).toBe('0-7');
    const done = await registry.handle(at(second, { method: 'PUT', body: CONTENT.slice(8) }, `&digest=${DIGEST}`));
    expect(done.status).toBe(201);
    expect(done.headers.get('location')).toBe(`${registry.origin}/v2/team/app/blobs/${DIGEST}`);
    expect(done.headers.get('docker-content-digest')).toBe(DIGEST);
    expect(registry.hasBlob('team/app', DIGEST)).toBe(true);
    const blob = await send(registry, `/v2/team/app/blobs/${DIGEST}`);
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(CONTENT);
    // The session is gone once closed.
    const after = await registry.handle(at(done.headers.get('location') ?? ''));
    expect(after.status).toBe(200);
  });

  it('appends a chunk whatever its Content-Range says (2.8 ignores it)', async () => {
    const registry = createFakeRegistry({ fixtures: false });
    const { location } = await start(registry);
    const patched = await registry.handle(
      at(location, { method: 'PATCH', body: CONTENT, headers: { 'content-range': '100-119' } }),
    );
    expect(patched.status).toBe(202);
    expect(patched.headers.get('range')).toBe('0-19');
  });

  it('refuses a wrong digest with DIGEST_INVALID; the Location used is stale afterwards', async () => {
    const registry = createFakeRegistry({ fixtures: false });
    const { location } = await start(registry);
    const wrong = sha256Digest('other');
    const put = await registry.handle(at(location, { method: 'PUT', body: CONTENT }, `&digest=${wrong}`));
    expect(put.status).toBe(400);
    expect(await put.json()).toEqual({
      errors: [
        {
          code: 'DIGEST_INVALID',
          message: 'provided digest did not match uploaded content',
          detail: { Digest: wrong, Reason: {} },
        },
      ],
    });
    expect(registry.hasBlob('team/app', wrong)).toBe(false);
    const again = await registry.handle(at(location));
    expect(await errorCode(again)).toBe('BLOB_UPLOAD_INVALID');
  });

  it('cancels with DELETE (204); the session is then BLOB_UPLOAD_UNKNOWN', async () => {
    const registry = createFakeRegistry({ fixtures: false });
    const { location } = await start(registry);
    expect((await registry.handle(at(location, { method: 'DELETE' }))).status).toBe(204);
    const status = await registry.handle(at(location));
    expect(status.status).toBe(404);
    expect(await errorCode(status)).toBe('BLOB_UPLOAD_UNKNOWN');
  });

  it('refuses a PUT without a digest and a session without its _state', async () => {
    const registry = createFakeRegistry({ fixtures: false });
    const { location } = await start(registry);
    const put = await registry.handle(at(location, { method: 'PUT', body: CONTENT }));
    expect(await errorCode(put)).toBe('DIGEST_INVALID');
    const bare = await registry.handle(at(location.split('?')[0] ?? ''));
    expect(await errorCode(bare)).toBe('BLOB_UPLOAD_INVALID');
  });

  it('opens a session for POST ?digest= and ignores its body (2.8 has no single-POST upload)', async () => {
    const registry = createFakeRegistry({ fixtures: false });
    const { response } = await start(registry, 'team/app', `?digest=${DIGEST}`, { body: CONTENT });
    expect(response.status).toBe(202);
    expect(registry.hasBlob('team/app', DIGEST)).toBe(false);
  });

  it('mounts a blob from another repository (201), or opens a session when it cannot (202)', async () => {
    const registry = createFakeRegistry({ fixtures: false });
    registry.putBlob('team/source', CONTENT);
    const mounted = await start(registry, 'team/app', `?mount=${DIGEST}&from=team/source`);
    expect(mounted.response.status).toBe(201);
    expect(mounted.location).toBe(`${registry.origin}/v2/team/app/blobs/${DIGEST}`);
    expect(mounted.response.headers.get('docker-content-digest')).toBe(DIGEST);
    expect(registry.hasBlob('team/app', DIGEST)).toBe(true);
    expect((await start(registry, 'team/other', `?mount=${DIGEST}`)).response.status).toBe(202);
    expect((await start(registry, 'team/other', `?mount=${sha256Digest('x')}&from=team/source`)).response.status).toBe(202);
  });

  it('deletes a blob (202), then BLOB_UNKNOWN', async () => {
    const registry = createFakeRegistry({ fixtures: false });
    registry.putBlob('team/app', CONTENT);
    expect((await send(registry, `/v2/team/app/blobs/${DIGEST}`, { method: 'DELETE' })).status).toBe(202);
    expect((await send(registry, `/v2/team/app/blobs/${DIGEST}`)).status).toBe(404);
  });
});

describe('uploads in the oci-1.1 profile and with OCI-Chunk-Min-Length', () => {
  it('completes POST ?digest= with the body in one request (201), digest checked', async () => {
    const registry = createFakeRegistry({ profile: 'oci-1.1', fixtures: false });
    const { response } = await start(registry, 'team/app', `?digest=${DIGEST}`, {
      body: CONTENT,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(response.status).toBe(201);
    expect(registry.hasBlob('team/app', DIGEST)).toBe(true);
    const wrong = await start(registry, 'team/app', `?digest=${sha256Digest('x')}`, { body: CONTENT });
    expect(wrong.response.status).toBe(400);
  });

  it('answers a chunk out of order with 416 and the Range so far', async () => {
    const registry = createFakeRegistry({ profile: 'oci-1.1', fixtures: false });
    const { location } = await start(registry);
    const first = await registry.handle(
      at(location, { method: 'PATCH', body: CONTENT.slice(0, 8), headers: { 'content-range': '0-7' } }),
    );
    const next = first.headers.get('location') ?? '';
    const skipped = await registry.handle(
      at(next, { method: 'PATCH', body: CONTENT.slice(10), headers: { 'content-range': '10-19' } }),
    );
    expect(skipped.status).toBe(416);
    expect(skipped.headers.get('range')).toBe('0-7');
    expect(await errorCode(skipped)).toBe('RANGE_INVALID');
    const inOrder = await registry.handle(
      at(next, { method: 'PATCH', body: CONTENT.slice(8), headers: { 'content-range': '8-19' } }),
    );
    expect(inOrder.status).toBe(202);
  });

  it('advertises OCI-Chunk-Min-Length only where the profile sets it, and enforces it on PATCH', async () => {
    const registry = createFakeRegistry({ profile: { ...PROFILES.distribution, chunkMinLength: 10 }, fixtures: false });
    const { response, location } = await start(registry);
    expect(response.headers.get('oci-chunk-min-length')).toBe('10');
    const small = await registry.handle(at(location, { method: 'PATCH', body: CONTENT.slice(0, 4) }));
    expect(small.status).toBe(416);
    const big = await registry.handle(at(location, { method: 'PATCH', body: CONTENT.slice(0, 10) }));
    expect(big.status).toBe(202);
    // The last piece may be shorter: it comes with the closing PUT.
    const done = await registry.handle(
      at(
        big.headers.get('location') ?? '',
        { method: 'PUT', body: CONTENT.slice(10, 14) },
        `&digest=${sha256Digest(CONTENT.slice(0, 14))}`,
      ),
    );
    expect(done.status).toBe(201);
  });
});

describe('manifest PUT', () => {
  function pushBlobs(registry: FakeRegistry, name: string, image: ReturnType<typeof buildImage>) {
    for (const blob of image.blobs) registry.putBlob(name, blob.bytes);
  }

  it('stores the exact bytes by tag: 201 with Location and Docker-Content-Digest, then served as sent', async () => {
    const registry = createFakeRegistry({ fixtures: false });
    const image = buildImage({ format: 'oci' });
    pushBlobs(registry, 'team/app', image);
    const put = await send(registry, '/v2/team/app/manifests/v1', {
      method: 'PUT',
      body: new Uint8Array(image.bytes),
      headers: { 'content-type': image.mediaType },
    });
    expect(put.status).toBe(201);
    expect(put.headers.get('location')).toBe(`${registry.origin}/v2/team/app/manifests/${image.digest}`);
    expect(put.headers.get('docker-content-digest')).toBe(image.digest);
    expect(put.headers.get('oci-subject')).toBeNull();
    const got = await send(registry, '/v2/team/app/manifests/v1', { headers: { accept: image.mediaType } });
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(image.bytes);
    expect(registry.tags('team/app')).toEqual(['v1']);
  });

  it('refuses a manifest whose blobs are missing with MANIFEST_BLOB_UNKNOWN and the digest', async () => {
    const registry = createFakeRegistry({ fixtures: false });
    const image = buildImage({ format: 'docker' });
    registry.putBlob('team/app', image.config.bytes);
    const put = await send(registry, '/v2/team/app/manifests/v1', {
      method: 'PUT',
      body: new Uint8Array(image.bytes),
      headers: { 'content-type': image.mediaType },
    });
    expect(put.status).toBe(400);
    expect(await put.json()).toEqual({
      errors: image.layers.map((layer) => ({
        code: 'MANIFEST_BLOB_UNKNOWN',
        message: 'blob unknown to registry',
        detail: layer.digest,
      })),
    });
    expect(registry.tags('team/app')).toEqual([]);
  });

  it('refuses an index whose children are missing, and takes it once they are there', async () => {
    const registry = createFakeRegistry({ fixtures: false });
    const child = buildImage({ format: 'oci' });
    const index = buildIndex({ images: [child] });
    const put = () =>
      send(registry, `/v2/team/app/manifests/${index.digest}`, {
        method: 'PUT',
        body: new Uint8Array(index.bytes),
        headers: { 'content-type': index.mediaType },
      });
    const refused = await put();
    expect(refused.status).toBe(400);
    expect(await errorCode(refused)).toBe('MANIFEST_BLOB_UNKNOWN');
    registry.putImage('team/app', undefined, child);
    expect((await put()).status).toBe(201);
    expect(registry.hasManifest('team/app', index.digest)).toBe(true);
  });

  it('refuses a digest that does not match, a Content-Type that disagrees with mediaType, and a manifest over the limit', async () => {
    const registry = createFakeRegistry({ profile: { ...PROFILES.distribution, manifestMaxBytes: 1000 }, fixtures: false });
    const image = buildImage({ format: 'docker' });
    pushBlobs(registry, 'team/app', image);
    const byWrongDigest = await send(registry, `/v2/team/app/manifests/${sha256Digest('x')}`, {
      method: 'PUT',
      body: new Uint8Array(image.bytes),
      headers: { 'content-type': image.mediaType },
    });
    expect(byWrongDigest.status).toBe(400);
    expect(await errorCode(byWrongDigest)).toBe('DIGEST_INVALID');
    const mismatched = await send(registry, '/v2/team/app/manifests/v1', {
      method: 'PUT',
      body: new Uint8Array(image.bytes),
      headers: { 'content-type': MEDIA_TYPES.ociManifest },
    });
    expect(mismatched.status).toBe(400);
    expect(await errorCode(mismatched)).toBe('MANIFEST_INVALID');
    const big = await send(registry, '/v2/team/app/manifests/v1', {
      method: 'PUT',
      body: new Uint8Array(1001).fill(32),
      headers: { 'content-type': image.mediaType },
    });
    expect(big.status).toBe(413);
  });

  it('accepts an OCI manifest without a mediaType field when sent with the OCI type, and one whose subject is missing', async () => {
    const registry = createFakeRegistry({ fixtures: false });
    const image = buildImage({ format: 'oci' });
    pushBlobs(registry, 'team/app', image);
    const parsed = JSON.parse(new TextDecoder().decode(image.bytes));
    delete parsed.mediaType;
    parsed.subject = { mediaType: MEDIA_TYPES.ociManifest, digest: sha256Digest('absent'), size: 6 };
    const bytes = encoder.encode(JSON.stringify(parsed));
    const put = await send(registry, '/v2/team/app/manifests/signed', {
      method: 'PUT',
      body: bytes,
      headers: { 'content-type': MEDIA_TYPES.ociManifest },
    });
    expect(put.status).toBe(201);
    expect(put.headers.get('docker-content-digest')).toBe(sha256Digest(bytes));
    // distribution 2.8 knows nothing of subjects: no OCI-Subject.
    expect(put.headers.get('oci-subject')).toBeNull();
  });

  it('tags an existing manifest by PUT of its bytes under a new tag, with no blob traffic', async () => {
    const registry = createFakeRegistry();
    registry.clearCalls();
    const hello = await send(registry, '/v2/library/hello/manifests/latest', { headers: { accept: MEDIA_TYPES.dockerManifest } });
    const bytes = new Uint8Array(await hello.arrayBuffer());
    const put = await send(registry, '/v2/library/hello/manifests/v2', {
      method: 'PUT',
      body: bytes,
      headers: { 'content-type': MEDIA_TYPES.dockerManifest },
    });
    expect(put.status).toBe(201);
    expect(registry.tags('library/hello')).toEqual(['latest', 'v2']);
    expect(registry.calls.map((call) => `${call.method} ${call.path} ${call.status}`)).toEqual([
      'GET /v2/library/hello/manifests/latest 200',
      'PUT /v2/library/hello/manifests/v2 201',
    ]);
  });
});

describe('push access', () => {
  it('needs pull and push in token mode: a pull-only token gets 401 insufficient_scope', async () => {
    const registry = createFakeRegistry({
      auth: 'token',
      users: [{ username: 'reader', password: 'pw', access: { '*': ['pull'] } }],
    });
    const basic = `Basic ${Buffer.from('reader:pw').toString('base64')}`;
    const tokenResponse = await registry.handle(
      new Request(`${registry.authOrigin}/token?service=registry.fake.test&scope=repository:team/app:pull,push`, {
        headers: { authorization: basic },
      }),
    );
    const { token } = (await tokenResponse.json()) as { token: string };
    const refused = await send(registry, '/v2/team/app/blobs/uploads/', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('scope="repository:team/app:pull,push",error="insufficient_scope"');
  });

  it('names the mount source in the challenge', async () => {
    const registry = createFakeRegistry({ auth: 'token' });
    const refused = await send(registry, `/v2/team/app/blobs/uploads/?mount=${DIGEST}&from=team/source`, { method: 'POST' });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain(
      'scope="repository:team/app:pull,push repository:team/source:pull"',
    );
  });

  it('on Docker Hub, grants push only in the user’s own namespace', async () => {
    const hub = createFakeDockerHub({ users: [{ username: 'alice', password: 'pw' }] });
    const basic = `Basic ${Buffer.from('alice:pw').toString('base64')}`;
    const token = async (scope: string) => {
      const response = await hub.handle(
        new Request(`https://auth.docker.io/token?service=registry.docker.io&scope=${scope}`, {
          headers: { authorization: basic },
        }),
      );
      return (await response.json()) as { token: string };
    };
    expect(hub.tokenCalls).toHaveLength(0);
    const own = await token('repository:alice/app:pull,push');
    const library = await token('repository:library/hello:pull,push');
    expect(hub.tokenCalls.map((call) => call.granted)).toEqual([
      ['repository:alice/app:pull,push'],
      ['repository:library/hello:pull'],
    ]);
    const allowed = await send(hub, '/v2/alice/app/blobs/uploads/', {
      method: 'POST',
      headers: { authorization: `Bearer ${own.token}` },
    });
    expect(allowed.status).toBe(202);
    const refused = await send(hub, '/v2/library/hello/blobs/uploads/', {
      method: 'POST',
      headers: { authorization: `Bearer ${library.token}` },
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });

  it('records every push call', async () => {
    const registry = createFakeRegistry({ fixtures: false });
    const { location } = await start(registry);
    await registry.handle(at(location, { method: 'PUT', body: CONTENT }, `&digest=${DIGEST}`));
    expect(registry.calls.map((call) => `${call.method} ${call.status}`)).toEqual(['POST 202', 'PUT 201']);
  });
});
