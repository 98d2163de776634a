import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DigestMismatchError, InvalidOptionError, UploadSessionLostError } from '../errors';
import { PushTestRegistry, sha256 } from '../push-test-registry';
import { Registry } from '../registry';
import { DEFAULT_UPLOAD_CHUNK_SIZE } from './blob-upload';
import { RESUME_WINDOW_BYTES } from './streamed-content';
import { content, webStream } from './test-content';

const REPO = 'team/app';
const UPLOADS = '/v2/team/app/blobs/uploads/';

/** Compares without a diff: a failing toEqual on MiB of bytes exhausts the worker's heap. */
function same(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && Buffer.compare(a, b) === 0;
}

function setup(streams = true) {
  const fake = new PushTestRegistry();
  fake.streamsRequestBodies = streams;
  const registry = new Registry({ domain: '127.0.0.1:5999', transport: fake });
  const blobs = registry.repository(REPO).blobs();
  const calls = () => fake.calls.map((c) => `${c.method} ${c.path.replace(/\/uploads\/u\d+$/, '/uploads/<id>')}`);
  return { fake, blobs, calls };
}

describe('blobs().upload over a transport that streams request bodies', () => {
  it('sends a stream of unknown digest as one PATCH without Content-Range, then an empty PUT with the digest', async () => {
    const { fake, blobs, calls } = setup();
    const bytes = content(3 * DEFAULT_UPLOAD_CHUNK_SIZE + 5);
    const result = await blobs.upload(webStream(bytes, 64 * 1024));
    expect(result).toEqual({ digest: sha256(bytes), size: bytes.byteLength });
    expect(calls()).toEqual([`POST ${UPLOADS}`, `PATCH ${UPLOADS}<id>`, `PUT ${UPLOADS}<id>`]);
    expect(fake.calls[1]?.headers['content-range']).toBeUndefined();
    expect(fake.calls.map((c) => c.bodyBytes)).toEqual([0, bytes.byteLength, 0]);
    expect(fake.calls[2]?.query).toContain(`digest=${sha256(bytes)}`);
    expect(same(fake.blob(REPO, result.digest), bytes)).toBe(true);
  });

  it('sends a stream of known digest on the closing PUT: POST + PUT', async () => {
    const { fake, blobs, calls } = setup();
    const bytes = content(1000);
    const digest = sha256(bytes);
    await expect(blobs.upload(Readable.from([bytes.subarray(0, 400), bytes.subarray(400)]), { digest })).resolves.toEqual({
      digest,
      size: 1000,
    });
    expect(calls()).toEqual([`HEAD /v2/team/app/blobs/${digest}`, `POST ${UPLOADS}`, `PUT ${UPLOADS}<id>`]);
    expect(fake.calls[2]?.bodyBytes).toBe(1000);
    expect(same(fake.blob(REPO, digest), bytes)).toBe(true);
  });

  it('sends bytes longer than a chunk as one PUT', async () => {
    const { fake, blobs, calls } = setup();
    const bytes = content(DEFAULT_UPLOAD_CHUNK_SIZE + 1);
    const result = await blobs.upload(bytes);
    expect(calls()).toEqual([`POST ${UPLOADS}`, `PUT ${UPLOADS}<id>`]);
    expect(same(fake.blob(REPO, result.digest), bytes)).toBe(true);
  });

  it('keeps chunks when the caller sets chunkSize, and over a transport that does not stream', async () => {
    for (const [streams, options] of [
      [true, { chunkSize: 10 }],
      [false, {}],
    ] as const) {
      const { fake, blobs } = setup(streams);
      const bytes = content(streams ? 25 : DEFAULT_UPLOAD_CHUNK_SIZE + 1);
      const result = await blobs.upload(webStream(bytes, streams ? 7 : 64 * 1024), options);
      expect(result.digest).toBe(sha256(bytes));
      expect(fake.calls.filter((c) => c.method === 'PATCH').length).toBeGreaterThan(0);
      expect(fake.calls.every((c) => c.method !== 'PATCH' || c.headers['content-range'] !== undefined)).toBe(true);
    }
  });

  it('resumes a dropped PATCH from the byte the session reports, resending only what the registry lacks', async () => {
    const { fake, blobs, calls } = setup();
    const bytes = content(5000);
    fake.fault((c) => c.method === 'PATCH', { kind: 'drop', keepBytes: 1234 });
    const progress: number[] = [];
    const result = await blobs.upload(webStream(bytes, 100), { onProgress: (p) => progress.push(p.done) });
    expect(result).toEqual({ digest: sha256(bytes), size: 5000 });
    expect(calls()).toEqual([
      `POST ${UPLOADS}`,
      `PATCH ${UPLOADS}<id>`,
      `GET ${UPLOADS}<id>`,
      `PATCH ${UPLOADS}<id>`,
      `PUT ${UPLOADS}<id>`,
    ]);
    expect(fake.calls[3]?.bodyBytes).toBe(5000 - 1234);
    expect(same(fake.blob(REPO, result.digest), bytes)).toBe(true);
    // Progress counts bytes sent and never goes back when bytes go again.
    expect(progress.at(-1)).toBe(5000);
    expect(progress.every((done, i) => i === 0 || done > (progress[i - 1] as number))).toBe(true);
  });

  it('sends a known size as Content-Length, of the rest after a resume', async () => {
    const { fake, blobs } = setup();
    const bytes = content(3000);
    fake.fault((c) => c.method === 'PATCH', { kind: 'drop', keepBytes: 1000 });
    await blobs.upload(webStream(bytes, 256), { size: 3000 });
    expect(fake.calls.filter((c) => c.method === 'PATCH').map((c) => c.headers['content-length'])).toEqual(['3000', '2000']);
  });

  it('resumes a dropped PUT of known digest', async () => {
    const { fake, blobs } = setup();
    const bytes = content(3000);
    const digest = sha256(bytes);
    fake.fault((c) => c.method === 'PUT', { kind: 'drop', keepBytes: 10 });
    await expect(blobs.upload(webStream(bytes, 256), { digest })).resolves.toEqual({ digest, size: 3000 });
    expect(fake.calls.filter((c) => c.method === 'PUT').map((c) => c.bodyBytes)).toEqual([3000, 2990]);
    expect(same(fake.blob(REPO, digest), bytes)).toBe(true);
  });

  it('fails with UploadSessionLostError when the registry fell further behind than the resume window', async () => {
    const { fake, blobs } = setup();
    const bytes = content(RESUME_WINDOW_BYTES + 2 * 1024 * 1024);
    fake.fault((c) => c.method === 'PATCH', { kind: 'drop', keepBytes: 0 });
    const error = await blobs.upload(webStream(bytes, 256 * 1024)).catch((e: unknown) => e);
    expect(UploadSessionLostError.isInstance(error)).toBe(true);
    expect(fake.blobs.get(REPO)?.size ?? 0).toBe(0);
  });

  it('stops the body before its end when it does not match the digest, and cancels the session', async () => {
    const { fake, blobs } = setup();
    const bytes = content(2000);
    const wrong = sha256(content(2000, 2));
    const error = await blobs.upload(webStream(bytes, 500), { digest: wrong }).catch((e: unknown) => e);
    expect(DigestMismatchError.isInstance(error)).toBe(true);
    expect(fake.calls.at(-1)?.method).toBe('DELETE');
    expect(fake.blobs.get(REPO)?.size ?? 0).toBe(0);
  });

  it('refuses a stream of another length than options.size', async () => {
    const { fake, blobs } = setup();
    await expect(blobs.upload(webStream(content(30), 7), { size: 20 })).rejects.toThrow(InvalidOptionError);
    await expect(blobs.upload(webStream(content(30), 7), { size: 40 })).rejects.toThrow(InvalidOptionError);
    expect(fake.blobs.get(REPO)?.size ?? 0).toBe(0);
  });

  describe('when the transport answers before it has pulled the end of the stream (the registry read the declared length)', () => {
    function declaredLengthSetup() {
      const setUp = setup();
      setUp.fake.readsDeclaredLength = true;
      return setUp;
    }

    it('reads the end itself and completes, with the digest known (one PUT) or computed (PATCH, then PUT)', async () => {
      const { fake, blobs, calls } = declaredLengthSetup();
      const bytes = content(1000);
      const digest = sha256(bytes);
      await expect(blobs.upload(webStream(bytes, 100), { digest, size: 1000 })).resolves.toEqual({ digest, size: 1000 });
      expect(calls()).toEqual([`HEAD /v2/team/app/blobs/${digest}`, `POST ${UPLOADS}`, `PUT ${UPLOADS}<id>`]);
      const other = content(999);
      await expect(blobs.upload(webStream(other, 100), { size: 999 })).resolves.toEqual({ digest: sha256(other), size: 999 });
      expect(same(fake.blob(REPO, sha256(other)), other)).toBe(true);
    });

    it('still refuses a stream longer than options.size', async () => {
      const { blobs } = declaredLengthSetup();
      const error = await blobs.upload(webStream(content(1001), 100), { size: 1000 }).catch((e: unknown) => e);
      expect(InvalidOptionError.isInstance(error)).toBe(true);
      expect((error as InvalidOptionError).option).toBe('size');
    });
  });

  it('uploads an empty stream', async () => {
    const { fake, blobs } = setup();
    const result = await blobs.upload(webStream(new Uint8Array(0), 1));
    expect(result).toEqual({ digest: sha256(new Uint8Array(0)), size: 0 });
    expect(fake.blob(REPO, result.digest)).toEqual(new Uint8Array(0));
  });
});
