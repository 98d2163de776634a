import { Blobs } from './blobs';
import { releaseBody } from './body';
import { EMPTY_DESCRIPTOR, EMPTY_JSON } from './empty-descriptor';
import { InvalidReferenceError, RegistryResponseError, TagDeleteUnsupportedError } from './errors';
import { inputText } from './input-text';
import { assertKnownOptions } from './known-options';
import { fetchManifest, putManifest } from './manifests';
import { MediaTypes } from './media-types';
import { type ListOptions, pageSizeParam, paginate, stringList, TAG_ENTRIES } from './pagination';
import { RecentEntries } from './recent-entries';
import { isValidTag } from './reference';
import { type RepositoryContext, repositoryPath } from './repository-context';
import { repositoryScope } from './scope';

/** Options of `tags().delete()`. */
export interface DeleteTagOptions {
  /**
   * When the registry refuses to delete a tag (distribution 2.8 answers
   * `DELETE /manifests/<tag>` with 400 `DIGEST_INVALID`), point the tag at a
   * new, unique empty manifest and delete that manifest by digest: the tag
   * goes, the image and its other tags stay. Off by default, because it
   * writes to the repository (it needs `push` and `delete`).
   */
  readonly fallback?: boolean;
  /** Cancels the requests. */
  readonly signal?: AbortSignal;
}

/** How a tag was deleted. */
export interface DeletedTag {
  /** `delete`: the registry deleted the tag itself; `fallback`: through a unique empty manifest. */
  readonly method: 'delete' | 'fallback';
}

const DELETE_OPTIONS: ReadonlySet<string> = new Set(['fallback', 'signal']);
/** Entries remembered beyond the previous page to drop the repeats of shifting pages (see `RecentEntries`). */
const REPEAT_WINDOW = 10_000;
/** Marks the throw-away manifests of the tag-delete fallback, so they can be recognised. */
const TAG_DELETE_ARTIFACT_TYPE = 'application/vnd.regkit.tag-delete.v1';

/** Refusals of a tag DELETE that a digest DELETE may still get past (2.8: 400 DIGEST_INVALID). */
function refusesTagDelete(error: unknown): boolean {
  if (!RegistryResponseError.isInstance(error)) return false;
  if (error.status === 400)
    return error.errors.some(
      (entry) => entry.code === 'DIGEST_INVALID' || entry.code === 'UNSUPPORTED' || entry.code === 'TAG_INVALID',
    );
  return error.status === 405;
}

/** Tag listing and deletion for one repository. */
export class Tags {
  readonly #context: RepositoryContext;

  /** @internal Created by `Repository.tags()`. */
  constructor(context: RepositoryContext) {
    this.#context = context;
  }

  /**
   * Iterates over every tag, page by page, following the registry's `Link`
   * headers verbatim (same origin only, with a page cap and loop detection).
   * Tags come in the registry's order; a tag that the previous page or the
   * 10 000 tags before it already gave is not yielded again (a registry whose
   * pages shift while it is listed repeats some at page boundaries). Every
   * entry must be a valid tag, and the listing stops at `maxEntries` tags
   * (default 1 000 000) or `maxBytes` of pages (default 256 MiB) in all.
   *
   * @throws InvalidListingEntryError when a page lists something that is not a tag
   * @throws ListingTooLargeError past `maxEntries` or `maxBytes`
   * @throws PaginationError when the pages break another safety rail
   *
   * @example
   * ```ts
   * for await (const tag of repo.tags().list({ pageSize: 100 })) console.log(tag);
   * ```
   */
  async *list(options: ListOptions = {}): AsyncGenerator<string, void, undefined> {
    for await (const page of this.#newTagsByPage(options)) yield* page;
  }

  /** Every tag of the repository, all pages read. */
  async getAll(options: ListOptions = {}): Promise<string[]> {
    const tags: string[] = [];
    // Whole pages, not one await per tag: thousands of tags stay cheap.
    for await (const page of this.#newTagsByPage(options)) for (const tag of page) tags.push(tag);
    return tags;
  }

  /**
   * Deletes a tag, leaving the manifest it pointed at and that manifest's
   * other tags in place: `DELETE /v2/<name>/manifests/<tag>`. Registries that
   * refuse it (distribution 2.8) need `{ fallback: true }`: the tag is then
   * pointed at a new, unique empty manifest (artifact type
   * `application/vnd.regkit.tag-delete.v1`), which is deleted by digest.
   * Should that delete be refused too, the tag is pointed back at its
   * original manifest and the error is thrown.
   *
   * @example
   * ```ts
   * const { method } = await repo.tags().delete('old', { fallback: true }); // 'fallback' on distribution 2.8
   * ```
   *
   * @throws TagDeleteUnsupportedError when the registry refuses and `fallback` is not set
   * @throws ResourceNotFoundError when the tag does not exist
   * @throws UnsupportedOperationError when the registry has deletes disabled
   */
  async delete(tag: string, options: DeleteTagOptions = {}): Promise<DeletedTag> {
    assertKnownOptions('@regkit/core', 'tags().delete()', options, DELETE_OPTIONS);
    if (typeof tag !== 'string' || !isValidTag(tag)) {
      throw new InvalidReferenceError(inputText(tag), 'TAG_INVALID_FORMAT', 'a tag must match [A-Za-z0-9_][A-Za-z0-9._-]{0,127}');
    }
    const { signal } = options;
    try {
      const response = await this.#context.requester.send({
        method: 'DELETE',
        url: repositoryPath(this.#context, `manifests/${tag}`),
        scopes: [repositoryScope(this.#context.name, 'DELETE')],
        signal,
      });
      releaseBody(response.body);
      return { method: 'delete' };
    } catch (error) {
      if (!refusesTagDelete(error)) throw error;
      if (options.fallback !== true) throw new TagDeleteUnsupportedError(this.#context.name, tag, { cause: error });
    }
    await this.#deleteThroughEmptyManifest(tag, signal);
    return { method: 'fallback' };
  }

  async #deleteThroughEmptyManifest(tag: string, signal: AbortSignal | undefined): Promise<void> {
    const context = this.#context;
    const signalOption = signal === undefined ? {} : { signal };
    // The original, to point the tag back at should the digest delete be refused; also proves the tag exists.
    const original = await fetchManifest(context, tag, signalOption);
    await new Blobs(context).upload(EMPTY_JSON, { digest: EMPTY_DESCRIPTOR.digest, ...signalOption });
    const unique = {
      schemaVersion: 2,
      mediaType: MediaTypes.OciManifest,
      artifactType: TAG_DELETE_ARTIFACT_TYPE,
      config: EMPTY_DESCRIPTOR,
      layers: [EMPTY_DESCRIPTOR],
      // Unique bytes, so no other tag can share this manifest and vanish with it.
      annotations: { 'dev.regkit.deleted-tag': tag, 'dev.regkit.nonce': globalThis.crypto.randomUUID() },
    };
    const { digest } = await putManifest(context, unique, { tag, ...signalOption });
    try {
      const response = await context.requester.send({
        method: 'DELETE',
        url: repositoryPath(context, `manifests/${digest}`),
        scopes: [repositoryScope(context.name, 'DELETE')],
        signal,
      });
      releaseBody(response.body);
    } catch (error) {
      await putManifest(context, original, { tag, mediaType: original.mediaType, ...signalOption });
      throw error;
    }
  }

  /**
   * Each page's tags minus those the recent pages already gave (a registry
   * whose pages shift while it is listed repeats some). The first page is
   * passed as it is, so the common single-page listing hashes nothing; the
   * memory of earlier pages is bounded (see `RecentEntries`), not a set of
   * every tag ever listed.
   */
  async *#newTagsByPage(options: ListOptions): AsyncGenerator<readonly string[], void, undefined> {
    const what = `tags of ${this.#context.name}`;
    const n = pageSizeParam(options.pageSize, this.#context.tagPageSize, what);
    let recent: RecentEntries | undefined;
    let previous: readonly string[] = [];
    const pages = paginate(
      this.#context.requester,
      repositoryPath(this.#context, `tags/list?n=${n}`),
      [repositoryScope(this.#context.name, 'GET')],
      (json, url) => stringList(json, 'tags', what, url, TAG_ENTRIES),
      what,
      { ...options, defaultMaxPages: this.#context.maxPages },
    );
    for await (const page of pages) {
      if (recent === undefined) {
        recent = new RecentEntries(REPEAT_WINDOW);
        previous = page;
        yield page;
        continue;
      }
      recent.addPage(previous);
      const known = recent;
      const fresh = page.filter((tag) => !known.has(tag));
      previous = fresh;
      yield fresh;
    }
  }
}
