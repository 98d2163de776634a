import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Authenticator } from '../authenticator';
import { DigestMismatchError, InvalidOptionError, UploadSessionLostError } from '../errors';
import { PushTestRegistry, sha256 } from '../push-test-registry';
import { Registry } from '../registry';
import { content, webStream } from './test-content';

const REPO = 'team/app';

function setup() {
  const fake = new PushTestRegistry();
  const scopes: (readonly string[])[] = [];
  const authenticator: Authenticator = {
    specificationVersion: 'v1',
    name: 'recording',
    handleRequest: async (context) => {
      scopes.push(context.scopes);
      return undefined;
    },
    handleResponse: async () => ({ resend: false }),
  };
  const registry = new Registry({ domain: '127.0.0.1:5999', transport: fake, authenticator });
  const blobs = registry.repository(REPO).blobs();
  const calls = () => fake.calls.map((c) => `${c.method} ${c.path.replace(/\/uploads\/u\d+$/, '/uploads/<id>')}`);
  return { fake, blobs, scopes, calls };
}

describe('blobs().upload', () => {
  it('sends small content monolithically: POST then one PUT with the digest, push scope', async () => {
    const { fake, blobs, scopes, calls } = setup();
    const bytes = content(100);
    await expect(blobs.upload(bytes)).resolves.toEqual({ digest: sha256(bytes), size: 100 });
    expect(calls()).toEqual(['POST /v2/team/app/blobs/uploads/', 'PUT /v2/team/app/blobs/uploads/<id>']);
    expect(fake.calls[1]?.query).toContain(`digest=${sha256(bytes)}`);
    expect(fake.calls[1]?.bodyBytes).toBe(100);
    expect(fake.blob(REPO, sha256(bytes))).toEqual(bytes);
    expect(scopes).toEqual([['repository:team/app:pull,push'], ['repository:team/app:pull,push']]);
  });

  it('uploads an empty blob', async () => {
    const { fake, blobs } = setup();
    const { digest, size } = await blobs.upload(new Uint8Array(0));
    expect(size).toBe(0);
    expect(fake.blob(REPO, digest)).toEqual(new Uint8Array(0));
  });

  it('sends nothing when a known digest is already there (HEAD only) and releases the stream', async () => {
    const { fake, blobs, calls } = setup();
    const bytes = content(50);
    const digest = fake.putBlob(REPO, bytes);
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull: (c) => c.enqueue(bytes),
      cancel: () => {
        cancelled = true;
      },
    });
    await expect(blobs.upload(stream, { digest })).resolves.toEqual({ digest, size: 50 });
    expect(calls()).toEqual([`HEAD /v2/team/app/blobs/${digest}`]);
    expect(cancelled).toBe(true);
  });

  it('cuts content longer than chunkSize into one PATCH per chunk, following the newest Location, the last chunk on the PUT', async () => {
    const { fake, blobs, calls } = setup();
    const bytes = content(25);
    const progress: number[] = [];
    const result = await blobs.upload(bytes, { chunkSize: 10, onProgress: (p) => progress.push(p.done) });
    expect(result).toEqual({ digest: sha256(bytes), size: 25 });
    expect(calls()).toEqual([
      'POST /v2/team/app/blobs/uploads/',
      'PATCH /v2/team/app/blobs/uploads/<id>',
      'PATCH /v2/team/app/blobs/uploads/<id>',
      'PUT /v2/team/app/blobs/uploads/<id>',
    ]);
    // The fake refuses a stale `_state`, so this order of states proves the newest Location was used.
    expect(fake.calls.slice(1).map((c) => c.query.match(/_state=(\d+)/)?.[1])).toEqual(['0', '1', '2']);
    expect(fake.calls.slice(1).map((c) => c.bodyBytes)).toEqual([10, 10, 5]);
    expect(fake.calls.slice(1, 3).map((c) => c.headers['content-range'])).toEqual(['0-9', '10-19']);
    expect(progress).toEqual([10, 20, 25]);
    expect(fake.blob(REPO, result.digest)).toEqual(bytes);
  });

  it('streams a web ReadableStream in bounded chunks whatever its pieces', async () => {
    const { fake, blobs } = setup();
    const bytes = content(1000, 7);
    const result = await blobs.upload(webStream(bytes, 37), { chunkSize: 128 });
    expect(result).toEqual({ digest: sha256(bytes), size: 1000 });
    const bodies = fake.calls.filter((c) => c.method === 'PATCH' || c.method === 'PUT').map((c) => c.bodyBytes);
    expect(bodies.every((n) => n <= 128)).toBe(true);
    expect(bodies.slice(0, -1).every((n) => n === 128)).toBe(true);
    expect(fake.blob(REPO, result.digest)).toEqual(bytes);
  });

  it('reads a Node.js Readable (async iterable) with pieces larger than a chunk', async () => {
    const { fake, blobs } = setup();
    const bytes = content(300, 3);
    const result = await blobs.upload(Readable.from([Buffer.from(bytes.subarray(0, 250)), Buffer.from(bytes.subarray(250))]), {
      chunkSize: 100,
    });
    expect(result.digest).toBe(sha256(bytes));
    expect(fake.calls.filter((c) => c.method === 'PATCH').map((c) => c.bodyBytes)).toEqual([100, 100]);
    expect(fake.blob(REPO, result.digest)).toEqual(bytes);
  });

  it('knows a stream that ends exactly on a chunk boundary is done, sending no empty PATCH', async () => {
    const { fake, blobs } = setup();
    const bytes = content(20);
    await blobs.upload(webStream(bytes, 10), { chunkSize: 10 });
    expect(fake.calls.map((c) => [c.method, c.bodyBytes])).toEqual([
      ['POST', 0],
      ['PATCH', 10],
      ['PUT', 10],
    ]);
  });

  it('honours OCI-Chunk-Min-Length', async () => {
    const { fake, blobs } = setup();
    fake.chunkMinLength = 20;
    await blobs.upload(content(45), { chunkSize: 5 });
    expect(fake.calls.slice(1).map((c) => c.bodyBytes)).toEqual([20, 20, 5]);
  });

  it('rejects content that does not match the given digest, cancels the session and commits nothing', async () => {
    const { fake, blobs, calls } = setup();
    const bytes = content(30);
    const wrong = sha256(content(30, 9));
    const error = await blobs.upload(bytes, { digest: wrong, chunkSize: 10 }).catch((e: unknown) => e);
    expect(DigestMismatchError.isInstance(error)).toBe(true);
    expect((error as DigestMismatchError).actual).toBe(sha256(bytes));
    expect(calls()).toEqual([
      `HEAD /v2/team/app/blobs/${wrong}`,
      'POST /v2/team/app/blobs/uploads/',
      'PATCH /v2/team/app/blobs/uploads/<id>',
      'PATCH /v2/team/app/blobs/uploads/<id>',
      'DELETE /v2/team/app/blobs/uploads/<id>',
    ]);
    expect(fake.uploads.size).toBe(0);
    expect(fake.blobs.get(REPO)?.size ?? 0).toBe(0);
  });

  it('resumes after a connection drops mid-PATCH from the Range the session reports', async () => {
    const { fake, blobs, calls } = setup();
    const bytes = content(30);
    fake.fault((c) => c.method === 'PATCH' && c.headers['content-range'] === '10-19', { kind: 'drop', keepBytes: 4 });
    const readBack = webStream(bytes, 30);
    const result = await blobs.upload(readBack, { chunkSize: 10 });
    expect(result.digest).toBe(sha256(bytes));
    expect(calls()).toEqual([
      'POST /v2/team/app/blobs/uploads/',
      'PATCH /v2/team/app/blobs/uploads/<id>',
      'PATCH /v2/team/app/blobs/uploads/<id>',
      'GET /v2/team/app/blobs/uploads/<id>',
      'PATCH /v2/team/app/blobs/uploads/<id>',
      'PUT /v2/team/app/blobs/uploads/<id>',
    ]);
    expect(fake.calls[4]?.headers['content-range']).toBe('14-19');
    expect(fake.calls[4]?.bodyBytes).toBe(6);
    expect(fake.blob(REPO, result.digest)).toEqual(bytes);
  });

  it('restarts bytes content when the registry forgot the session', async () => {
    const { fake, blobs } = setup();
    const bytes = content(30);
    fake.fault((c) => c.method === 'PATCH' && c.headers['content-range'] === '10-19', { kind: 'forget' });
    const result = await blobs.upload(bytes, { chunkSize: 10 });
    expect(fake.calls.filter((c) => c.method === 'POST')).toHaveLength(2);
    expect(fake.blob(REPO, result.digest)).toEqual(bytes);
  });

  it('fails a stream whose session the registry forgot with UploadSessionLostError, storing nothing', async () => {
    const { fake, blobs } = setup();
    const bytes = content(30);
    fake.fault((c) => c.method === 'PATCH' && c.headers['content-range'] === '10-19', { kind: 'forget' });
    const error = await blobs.upload(webStream(bytes, 5), { chunkSize: 10 }).catch((e: unknown) => e);
    expect(UploadSessionLostError.isInstance(error)).toBe(true);
    expect((error as UploadSessionLostError).acknowledgedBytes).toBe(10);
    expect(fake.blobs.get(REPO)?.size ?? 0).toBe(0);
  });

  it('cancels the session when the caller aborts', async () => {
    const { fake, blobs } = setup();
    const controller = new AbortController();
    const error = await blobs
      .upload(content(30), {
        chunkSize: 10,
        signal: controller.signal,
        onProgress: () => controller.abort(new Error('stop')),
      })
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe('stop');
    expect(fake.calls.at(-1)?.method).toBe('DELETE');
    expect(fake.uploads.size).toBe(0);
  });

  it('refuses content of another size than options.size', async () => {
    const { blobs } = setup();
    await expect(blobs.upload(content(10), { size: 11 })).rejects.toThrow(InvalidOptionError);
    await expect(blobs.upload(webStream(content(30), 7), { size: 20, chunkSize: 10 })).rejects.toThrow(InvalidOptionError);
    await expect(blobs.upload(webStream(content(30), 7), { size: 40, chunkSize: 10 })).rejects.toThrow(InvalidOptionError);
  });

  it('refuses bad content and options before any request', async () => {
    const { fake, blobs } = setup();
    await expect(blobs.upload('text' as never)).rejects.toThrow(InvalidOptionError);
    await expect(blobs.upload(content(1), { chunksize: 5 } as never)).rejects.toThrow(/did you mean `chunkSize`/);
    await expect(blobs.upload(content(1), { chunkSize: 0 })).rejects.toThrow(InvalidOptionError);
    await expect(blobs.upload(content(1), { digest: 'sha256:nope' })).rejects.toThrow(/digest/);
    await expect(blobs.upload(Readable.from(['text']))).rejects.toThrow(/string/);
    expect(fake.calls.filter((c) => c.method !== 'POST' && c.method !== 'DELETE')).toEqual([]);
  });
});

describe('blobs().mount', () => {
  it('mounts with one request asking for pull on the source and push on the target', async () => {
    const { fake, blobs, scopes, calls } = setup();
    const digest = fake.putBlob('library/base', content(10));
    await expect(blobs.mount(digest, { from: 'library/base' })).resolves.toEqual({ mounted: true });
    expect(calls()).toEqual(['POST /v2/team/app/blobs/uploads/']);
    expect(fake.calls[0]?.query).toBe(`?mount=${encodeURIComponent(digest)}&from=library%2Fbase`);
    expect(scopes).toEqual([['repository:library/base:pull', 'repository:team/app:pull,push']]);
    expect(fake.blob(REPO, digest)).toBeDefined();
  });

  it('cancels the session a refused mount opened and says mounted: false', async () => {
    const { fake, blobs, calls } = setup();
    const digest = sha256(content(10));
    await expect(blobs.mount(digest, { from: 'library/base', origin: 'docker.io' })).resolves.toEqual({ mounted: false });
    expect(calls()).toEqual(['POST /v2/team/app/blobs/uploads/', 'DELETE /v2/team/app/blobs/uploads/<id>']);
    expect(fake.calls[0]?.query).toContain('origin=docker.io');
    expect(fake.uploads.size).toBe(0);
  });

  it('refuses a missing or invalid source repository', async () => {
    const { blobs } = setup();
    const digest = sha256(content(1));
    await expect(blobs.mount(digest, {} as never)).rejects.toThrow(InvalidOptionError);
    await expect(blobs.mount(digest, { from: 'Bad/Name' })).rejects.toThrow(InvalidOptionError);
  });
});

describe('blobs().delete and cancelUpload', () => {
  it('deletes a blob with the delete scope', async () => {
    const { fake, blobs, scopes } = setup();
    const digest = fake.putBlob(REPO, content(5));
    await blobs.delete(digest);
    expect(fake.blob(REPO, digest)).toBeUndefined();
    expect(scopes).toEqual([['repository:team/app:delete']]);
  });

  it('cancels a session by location, and treats an unknown session as cancelled', async () => {
    const { fake, blobs } = setup();
    await fake.send({ method: 'POST', url: `${fake.origin}/v2/${REPO}/blobs/uploads/`, headers: {} });
    const location = `${fake.origin}/v2/${REPO}/blobs/uploads/u1?_state=0`;
    await blobs.cancelUpload(location);
    expect(fake.uploads.size).toBe(0);
    await expect(blobs.cancelUpload(location)).resolves.toBeUndefined();
  });
});

describe('chunk memory', () => {
  it('reuses two chunk buffers for a long stream instead of allocating one per chunk', async () => {
    const { fake } = setup();
    const bytes = content(100 * 16, 5);
    const seen = new Set<ArrayBufferLike>();
    const recording = {
      ...fake,
      specificationVersion: 'v1' as const,
      name: 'recording',
      send: (request: Parameters<typeof fake.send>[0]) => {
        if (request.method === 'PATCH' && request.body instanceof Uint8Array) seen.add(request.body.buffer);
        return fake.send(request);
      },
    };
    const registry = new Registry({ domain: '127.0.0.1:5999', transport: recording });
    const result = await registry.repository(REPO).blobs().upload(webStream(bytes, 7), { chunkSize: 16 });
    expect(result.digest).toBe(sha256(bytes));
    expect(fake.blob(REPO, result.digest)).toEqual(bytes);
    expect(fake.calls.filter((c) => c.method === 'PATCH')).toHaveLength(99);
    expect(seen.size).toBeLessThanOrEqual(2);
  });
});
