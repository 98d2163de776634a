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
   * Tags come in the registry's order; a tag repeated across pages is
   * yielded once.
   *
   * @example
   * ```ts
   * for await (const tag of repo.tags().list({ pageSize: 100 })) console.log(tag);
   * ```
   */
  async *list(options: ListOptions = {}): AsyncGenerator<string, void, undefined> {
    const what = `tags of ${this.#context.name}`;
    const n = pageSizeParam(options.pageSize, this.#context.tagPageSize, what);
    const seen = new Set<string>();
    const pages = paginate(
      this.#context.requester,
      repositoryPath(this.#context, `tags/list?n=${n}`),
      [repositoryScope(this.#context.name, 'GET')],
      (json) => stringList(json, 'tags', what),
      what,
      { ...options, defaultMaxPages: this.#context.maxPages },
    );
    for await (const page of pages) {
      for (const tag of page) {
        if (seen.has(tag)) continue;
        seen.add(tag);
        yield tag;
      }
    }
  }

  /** Every tag of the repository, all pages read. */
  async getAll(options: ListOptions = {}): Promise<string[]> {
    const tags: string[] = [];
    for await (const tag of this.list(options)) tags.push(tag);
    return tags;
  }
}
