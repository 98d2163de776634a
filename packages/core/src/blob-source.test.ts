import { describe, expect, it } from 'vitest';
import type { BlobSource } from './blob-source';
import { openBlobSource } from './blobs';
import { DigestMismatchError, RegistryProtocolError } from './errors';
import { PushTestRegistry, sha256 } from './push-test-registry';
import { Registry } from './registry';

const REPO = 'lib/app';
const bytes = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 13) % 251);

/** A source whose registry answers each GET in pieces of `piece` bytes. */
function setup(options: { ranges?: boolean; piece?: number } = {}) {
  const fake = new PushTestRegistry();
  fake.servesRanges = options.ranges ?? true;
  const digest = fake.putBlob(REPO, bytes);
  fake.blobPieceBytes = options.piece ?? 1000;
  const registry = new Registry({ domain: '127.0.0.1:5999', transport: fake });
  const ranges = () => fake.calls.filter((c) => c.method === 'GET').map((c) => c.headers.range ?? 'whole');
  return { fake, digest, blobs: registry.repository(REPO).blobs(), ranges };
}

async function readAll(source: BlobSource): Promise<Uint8Array> {
  const pieces: Uint8Array[] = [];
  for (let piece = await source.piece(); piece !== undefined; piece = await source.piece()) pieces.push(piece);
  return new Uint8Array(Buffer.concat(pieces));
}

async function readBytes(source: BlobSource, count: number): Promise<Uint8Array> {
  const pieces: Uint8Array[] = [];
  let length = 0;
  while (length < count) {
    const piece = await source.piece();
    if (piece === undefined) break;
    pieces.push(piece);
    length += piece.byteLength;
  }
  return new Uint8Array(Buffer.concat(pieces));
}

describe('BlobSource', () => {
  it('reads a blob again from an earlier byte with a Range request, then verifies the rest', async () => {
    const { digest, blobs, ranges } = setup();
    const source = await openBlobSource(blobs, digest, { size: bytes.byteLength });
    expect(await readBytes(source, 3000)).toEqual(bytes.subarray(0, 3000));
    source.rewind(1500);
    expect(await readAll(source)).toEqual(bytes.subarray(1500));
    expect(ranges()).toEqual(['whole', 'bytes=1500-']);
  });

  it('reads the remainder again after the blob was read and verified to its end', async () => {
    const { digest, blobs, ranges } = setup();
    const source = await openBlobSource(blobs, digest, {});
    expect(await readAll(source)).toEqual(bytes);
    source.rewind(9000);
    expect(await readAll(source)).toEqual(bytes.subarray(9000));
    // At the very end nothing is asked: a range from the size would be refused.
    source.rewind(bytes.byteLength);
    expect(await source.piece()).toBeUndefined();
    expect(ranges()).toEqual(['whole', 'bytes=9000-']);
  });

  it('still fails at the end when the first pass does not match the digest, whatever was read again', async () => {
    const { fake, digest, blobs } = setup();
    const wrong = Uint8Array.from(bytes);
    wrong[9999] = (wrong[9999] ?? 0) ^ 1;
    fake.blobs.get(REPO)?.set(digest, wrong);
    const source = await openBlobSource(blobs, digest, { size: bytes.byteLength });
    await readBytes(source, 5000);
    source.rewind(2000);
    await expect(readAll(source)).rejects.toSatisfy((e: unknown) => DigestMismatchError.isInstance(e));
  });

  it('starts over from byte 0 without a range when the registry serves no ranges, and refuses other bytes', async () => {
    const { digest, blobs, ranges } = setup({ ranges: false });
    const source = await openBlobSource(blobs, digest, {});
    expect(source.servesRanges).toBe(false);
    await readBytes(source, 4000);
    expect(source.canRewind(2000)).toBe(false);
    expect(() => source.rewind(2000)).toThrow(RegistryProtocolError);
    source.rewind(0);
    expect(await readAll(source)).toEqual(bytes);
    expect(ranges()).toEqual(['whole', 'whole']);
  });

  it('refuses to read again from a byte it has not reached, or while a read is pending', async () => {
    const { digest, blobs } = setup();
    const source = await openBlobSource(blobs, digest, {});
    await readBytes(source, 2000);
    expect(source.canRewind(2001)).toBe(false);
    expect(() => source.rewind(2001)).toThrow(RegistryProtocolError);
    const pending = source.piece();
    expect(() => source.rewind(0)).toThrow(/while a read is pending/);
    await pending;
    await source.cancel();
  });

  it('fails when the registry ignores the Range of a read again', async () => {
    const { fake, digest, blobs } = setup();
    const source = await openBlobSource(blobs, digest, {});
    await readBytes(source, 3000);
    fake.servesRanges = false;
    source.rewind(1000);
    await expect(source.piece()).rejects.toThrow(/could not resume at byte 1000/);
  });

  it('never ends quietly after a failure or a cancel: every later read throws', async () => {
    const { fake, digest, blobs } = setup();
    fake.blobs.get(REPO)?.set(digest, new Uint8Array(bytes.byteLength));
    const failing = await openBlobSource(blobs, digest, {});
    const failure = await readAll(failing).catch((e: unknown) => e);
    expect(DigestMismatchError.isInstance(failure)).toBe(true);
    await expect(failing.piece()).rejects.toBe(failure);
    const cancelled = await openBlobSource(blobs, digest, {});
    await cancelled.piece();
    await cancelled.cancel(new Error('stop'));
    await expect(cancelled.piece()).rejects.toThrow('stop');
    expect(() => cancelled.rewind(0)).toThrow('stop');
  });

  it('gives the slot of the response it lets go back, so a rewind never holds two', async () => {
    const fake = new PushTestRegistry();
    const digest = fake.putBlob(REPO, bytes);
    const registry = new Registry({ domain: '127.0.0.1:5999', transport: fake, maxConcurrentRequests: 1 });
    const source = await openBlobSource(registry.repository(REPO).blobs(), digest, {});
    await source.piece();
    source.rewind(0);
    // With one slot, the new GET could not be sent if the first response still held it.
    expect(await readAll(source)).toEqual(bytes);
    await expect(registry.repository(REPO).blobs().head(digest)).resolves.toMatchObject({ size: bytes.byteLength });
  });

  it('matches what blobs().get() streams', async () => {
    const { digest, blobs } = setup();
    const download = await blobs.get(digest, { size: bytes.byteLength });
    expect(new Uint8Array(await new Response(download.body).arrayBuffer())).toEqual(bytes);
    expect(sha256(bytes)).toBe(digest);
  });
});
