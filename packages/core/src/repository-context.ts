import type { Requester } from './requester';

/** What every per-repository service shares. Internal. */
export interface RepositoryContext {
  /** Sends the requests. */
  readonly requester: Requester;
  /** Repository path, e.g. `library/golang`. */
  readonly name: string;
  /** Canonical reference domain, e.g. `docker.io`. */
  readonly domain: string;
  /** Cap on manifest bodies. */
  readonly maxManifestBytes: number;
  /** Cap on image config blobs read to find a platform. */
  readonly maxConfigBytes: number;
  /** Default `n` for tag listings. */
  readonly tagPageSize: number;
  /** Default page cap for listings. */
  readonly maxPages: number;
}

/** `/v2/<name>/<rest>`: repository names are validated at construction, so no escaping is needed. */
export function repositoryPath(context: RepositoryContext, rest: string): string {
  return `/v2/${context.name}/${rest}`;
}

/** The context behind each `Repository`, for helpers that take a repository (e.g. `pushArtifact`). */
const CONTEXTS = new WeakMap<object, RepositoryContext>();

/** @internal Called by the `Repository` constructor. */
export function attachContext(repository: object, context: RepositoryContext): void {
  CONTEXTS.set(repository, context);
}

/** @internal The context of a repository created by a `Registry`. */
export function contextOf(repository: object): RepositoryContext | undefined {
  return CONTEXTS.get(repository);
}
