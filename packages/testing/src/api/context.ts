import type { Endpoint } from '../auth/gate';
import type { RegistryProfile } from '../profiles';
import type { RegistryStore } from '../registry-store';

/** What an API handler gets: the parsed request and the registry state. */
export interface ApiContext {
  readonly method: string;
  readonly url: URL;
  readonly headers: Headers;
  /** The request body, read in full, for the methods that carry one (POST, PUT, PATCH). */
  readonly body?: Uint8Array | undefined;
  readonly store: RegistryStore;
  readonly profile: RegistryProfile;
  /** Where the request arrived, for absolute URLs (blob storage redirects). */
  readonly endpoint: Endpoint;
  /** The signed storage URL a blob redirect points at, when the profile redirects blobs. */
  readonly blobLocation?: ((endpoint: Endpoint, digest: string) => string) | undefined;
}
