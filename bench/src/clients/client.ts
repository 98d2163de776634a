import type { BenchMode, ClientId, TaskId } from '../jobs';

/** Where a session sends its requests. */
export interface SessionTarget {
  /** `http://127.0.0.1:<port>`: the registry, or the counting proxy in front of it. */
  readonly origin: string;
  /** `127.0.0.1:<port>`, as image references spell it. */
  readonly host: string;
  readonly mode: BenchMode;
}

/** What a client's `getByTag` equivalent found. */
export interface TagLookup {
  /** Digest of the manifest or index the tag points at. */
  readonly digest: string;
  /** Platforms the client reports, or undefined when it does not list them. */
  readonly platforms: number | undefined;
}

/**
 * One fresh client instance: its own connections and token cache, so the
 * first request of every iteration is cold. Each method is one task.
 */
export interface ClientSession {
  /** T1: the image a tag names. */
  getByTag(repository: string, tag: string): Promise<TagLookup>;
  /** T2: every tag of a repository, all pages. */
  listTags(repository: string): Promise<readonly string[]>;
  /** T3/T5: the digest each reference (tag or digest) points at, in order, `concurrency` at a time. */
  resolveMany(repository: string, references: readonly string[], concurrency: number): Promise<readonly string[]>;
  /**
   * T4: downloads a blob, verified against its sha256 digest (by the client
   * when it verifies, else by the adapter), keeping none of it. Returns the
   * byte count. `tag` names an image whose only layer is the blob, for
   * clients that can only copy whole images.
   */
  downloadBlob(repository: string, digest: string, tag: string): Promise<number>;
  /** Frees connections. */
  close(): Promise<void>;
}

/** A client under test. */
export interface BenchClient {
  readonly id: ClientId;
  /** Tasks the client cannot do, with the reason recorded in the results. */
  readonly unsupported: Partial<Record<TaskId, string>>;
  /** How the client does a task when that differs from the protocol minimum (recorded with the results). */
  readonly notes: Partial<Record<TaskId, string>>;
  open(target: SessionTarget): Promise<ClientSession>;
  /** Peak RSS of programs the client ran, KiB (skopeo), so the worker can report it instead of its own. */
  childPeakRssKiB?(): number | undefined;
  /** CPU time (user + system) of every program the client ran so far, ms (skopeo). */
  childCpuMs?(): number;
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order; the first failure rejects. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure !== undefined) throw failure.error;
  return results;
}

/** Manifest media types every client asks for. */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');
