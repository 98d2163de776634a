// Helpers shared by this package's own tests; not exported.
import { MEDIA_TYPES } from './content/media-types';
import type { FakeRegistry } from './fake-registry';

/** The Accept header containerd and most clients send. */
export const ALL_MANIFEST_TYPES = [
  MEDIA_TYPES.dockerManifest,
  MEDIA_TYPES.dockerManifestList,
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.ociIndex,
].join(', ');

/** Sends `method path` to the registry's own origin through `handle()`. */
export function send(registry: FakeRegistry, path: string, init: RequestInit = {}): Promise<Response> {
  return registry.handle(new Request(`${registry.origin}${path}`, init));
}

/** sha256 digest of a response body. */
export async function bodyBytes(response: Response): Promise<Uint8Array> {
  return new Uint8Array(await response.arrayBuffer());
}
