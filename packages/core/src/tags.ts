import { type ListOptions, pageSizeParam, paginate, stringList } from './pagination';
import { type RepositoryContext, repositoryPath } from './repository-context';
import { repositoryScope } from './scope';

/** Tag listing for one repository. */
export class Tags {
  readonly #context: RepositoryContext;

  /** @internal Created by `Repository.tags()`. */
  constructor(context: RepositoryContext) {
    this.#context = context;
  }

  /**
   * Iterates over every tag, page by page, following the registry's `Link`
   * headers verbatim (same origin only, with a page cap and loop detection).
   * Tags come in the registry's order; a tag that an earlier page already
   * gave is not yielded again.
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
   * Each page's tags minus those an earlier page already gave (a registry
   * whose pages shift while it is listed repeats some). The first page is
   * passed as it is, so the common single-page listing hashes nothing.
   */
  async *#newTagsByPage(options: ListOptions): AsyncGenerator<readonly string[], void, undefined> {
    const what = `tags of ${this.#context.name}`;
    const n = pageSizeParam(options.pageSize, this.#context.tagPageSize, what);
    let seen: Set<string> | undefined;
    let previous: readonly string[] = [];
    const pages = paginate(
      this.#context.requester,
      repositoryPath(this.#context, `tags/list?n=${n}`),
      [repositoryScope(this.#context.name, 'GET')],
      (json) => stringList(json, 'tags', what),
      what,
      { ...options, defaultMaxPages: this.#context.maxPages },
    );
    for await (const page of pages) {
      if (seen === undefined) {
        seen = new Set();
        previous = page;
        yield page;
        continue;
      }
      for (const tag of previous) seen.add(tag);
      const known = seen;
      const fresh = page.filter((tag) => !known.has(tag));
      previous = fresh;
      yield fresh;
    }
  }
}
