import type { RegistryProfile } from '../profiles';
import type { RegistryStore } from '../registry-store';

/** What an API handler gets: the parsed request and the registry state. */
export interface ApiContext {
  readonly method: string;
  readonly url: URL;
  readonly headers: Headers;
  readonly store: RegistryStore;
  readonly profile: RegistryProfile;
}
