/**
 * The fake registry inside the page itself: `@regkit/testing`'s main entry
 * (token service, content builders, handler transport) with no Node.js,
 * as a browser or worker test would use it.
 */
import { createTokenAuthenticator } from '@regkit/auth-token';
import { Registry } from '@regkit/core';
import { buildBlob, buildImage, createFakeRegistry, createHandlerTransport } from '@regkit/testing';

/** What the in-page run saw, next to what the fake says it stored. */
export interface InPageResult {
  readonly expectedDigest: string;
  readonly digest: string;
  readonly layerText: string;
  readonly blobDigest: string;
  readonly blobBytes: number;
  readonly tokenUsers: readonly (string | null)[];
}

export async function runInPageFake(): Promise<InPageResult> {
  const fake = createFakeRegistry({
    auth: 'token',
    users: [{ username: 'page', password: 'page-pass' }],
    privateRepositories: ['*'],
  });
  // A real tar.gz layer (tar, gzip's CRC-32 and SHA-256 without node:*) and a generated blob.
  const image = fake.putImage('team/app', 'v1', buildImage({ layers: ['hello from the page\n'] }));
  const blob = buildBlob(3 * 1024 * 1024 + 17, { seed: 'in-page' });
  fake.putBlob('team/app', blob);
  const registry = new Registry({
    domain: new URL(fake.origin).host,
    transport: createHandlerTransport(fake),
    authenticator: createTokenAuthenticator({ username: 'page', password: 'page-pass' }),
  });
  const repository = registry.repository('team/app');
  const found = await repository.images().getByTag('v1');
  const manifest = await repository.manifests().get(found.digest);
  if (manifest.kind !== 'image' || manifest.layers[0] === undefined) throw new Error('expected an image with a layer');
  const layer = await repository.blobs().getBytes(manifest.layers[0].digest);
  const layerText = new TextDecoder().decode(
    await new Response(
      new Blob([layer as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip')),
    ).arrayBuffer(),
  );
  const download = await repository.blobs().get(blob.digest);
  let blobBytes = 0;
  const reader = download.body.getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) blobBytes += chunk.value.byteLength;
  return {
    expectedDigest: image.digest,
    digest: found.digest,
    layerText,
    blobDigest: download.digest,
    blobBytes,
    tokenUsers: fake.tokenCalls.map((call) => call.username),
  };
}
