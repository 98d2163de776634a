import { HttpResponse, http } from 'msw';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InvalidListingEntryError, InvalidOptionError, ListingTooLargeError, PaginationError } from './errors';
import { MediaTypes } from './media-types';
import { RecentEntries } from './recent-entries';
import { Registry } from './registry';
import { mswServer, ORIGIN, rejectionOf, sha256 } from './test-support';

const server = mswServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const registry = () => new Registry({ domain: 'registry.test', retry: { limit: 0 } });

/** `tags/list` answering `pages[i]` for `?page=i`, linking to the next page while there is one. */
function tagPages(repository: string, pages: readonly (readonly unknown[])[], cursorParam = 'page') {
  return http.get(`${ORIGIN}/v2/${repository}/tags/list`, ({ request }) => {
    const index = Number(new URL(request.url).searchParams.get(cursorParam) ?? '0');
    const more = index + 1 < pages.length;
    return HttpResponse.json(
      { name: repository, tags: pages[index] },
      more ? { headers: { link: `</v2/${repository}/tags/list?${cursorParam}=${index + 1}>; rel="next"` } } : {},
    );
  });
}

describe('listing entries are checked against their grammar', () => {
  it('refuses a tag that is not a tag, naming the redacted page and a cut-down entry', async () => {
    const huge = 'x'.repeat(8 * 1024 * 1024);
    server.use(tagPages('app', [['v1'], ['v2', `bad tag ${huge}`]], 'token'));
    const error = await rejectionOf(registry().repository('app').tags().getAll());
    expect(InvalidListingEntryError.isInstance(error)).toBe(true);
    expect(PaginationError.isInstance(error)).toBe(true);
    const entryError = error as InvalidListingEntryError;
    expect(entryError.url).toBe(`${ORIGIN}/v2/app/tags/list?token=REDACTED`);
    expect(entryError.entry.length).toBeLessThanOrEqual(129);
    expect(entryError.entry.startsWith('bad tag xxx')).toBe(true);
    expect(entryError.expected).toBe('tag');
    expect(entryError.message.length).toBeLessThan(400);
  });

  it.each([['-leading-dash'], ['a'.repeat(129)], ['with/slash'], ['']])('refuses the tag %j', async (tag) => {
    server.use(tagPages('app', [['ok', tag]]));
    const error = await rejectionOf(registry().repository('app').tags().getAll());
    expect(InvalidListingEntryError.isInstance(error)).toBe(true);
  });

  it('nothing of the bad page is yielded', async () => {
    server.use(tagPages('app', [['a'], ['b', 'c!']]));
    const seen: string[] = [];
    const error = await rejectionOf(
      (async () => {
        for await (const tag of registry().repository('app').tags().list()) seen.push(tag);
      })(),
    );
    expect(InvalidListingEntryError.isInstance(error)).toBe(true);
    expect(seen).toEqual(['a']);
  });

  it('refuses a catalog entry that is not a repository name', async () => {
    server.use(http.get(`${ORIGIN}/v2/_catalog`, () => HttpResponse.json({ repositories: ['library/alpine', 'Team/App'] })));
    const error = await rejectionOf(registry().repositories());
    expect(InvalidListingEntryError.isInstance(error)).toBe(true);
    expect((error as InvalidListingEntryError).entry).toBe('Team/App');
    expect((error as InvalidListingEntryError).expected).toBe('repository name');
    expect((error as Error).message).toContain(`${ORIGIN}/v2/_catalog?n=1000`);
  });
});

describe('listing caps', () => {
  const pages = [
    ['a', 'b'],
    ['c', 'd'],
    ['e', 'f'],
  ];

  it('stops past maxEntries with ListingTooLargeError, for tags and the catalog', async () => {
    server.use(tagPages('app', pages));
    const error = await rejectionOf(registry().repository('app').tags().getAll({ maxEntries: 5 }));
    expect(ListingTooLargeError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ limit: 5, unit: 'entries' });
    expect(await registry().repository('app').tags().getAll({ maxEntries: 6 })).toHaveLength(6);

    server.use(http.get(`${ORIGIN}/v2/_catalog`, () => HttpResponse.json({ repositories: ['a', 'b', 'c'] })));
    const catalog = await rejectionOf(registry().repositories({ maxEntries: 2 }));
    expect(ListingTooLargeError.isInstance(catalog)).toBe(true);
  });

  it('stops past maxBytes of pages in all', async () => {
    server.use(tagPages('app', pages));
    const error = await rejectionOf(registry().repository('app').tags().getAll({ maxBytes: 60 }));
    expect(ListingTooLargeError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ limit: 60, unit: 'bytes' });
    expect((error as Error).message).toContain('maxBytes');
  });

  it('refuses a cap that is not a positive integer', async () => {
    for (const options of [{ maxEntries: 0 }, { maxBytes: -1 }, { maxPages: 1.5 }]) {
      const error = await rejectionOf(registry().repository('app').tags().getAll(options));
      expect(InvalidOptionError.isInstance(error)).toBe(true);
    }
  });
});

describe('bounded de-duplication', () => {
  it('still drops the repeats of shifting pages at page boundaries', async () => {
    server.use(
      tagPages('app', [
        ['a', 'b'],
        ['b', 'c'],
        ['c', 'a', 'd'],
      ]),
    );
    expect(await registry().repository('app').tags().getAll()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('does not remember every tag ever listed: a repeat far behind the window comes again', async () => {
    // 30 000 distinct tags in pages of 5 000, then the very first tag again: a set of every
    // tag seen (what a hostile listing grew without bound) would drop it.
    const big = Array.from({ length: 6 }, (_, page) => Array.from({ length: 5000 }, (_, i) => `t${page}-${i}`));
    server.use(tagPages('app', [...big, ['t0-0', 'last']]));
    const tags = await registry().repository('app').tags().getAll();
    expect(tags.slice(-2)).toEqual(['t0-0', 'last']);
    expect(tags).toHaveLength(30_002);
  });

  it('RecentEntries keeps the previous page whole and at most two generations', () => {
    const recent = new RecentEntries(3);
    recent.addPage(['a', 'b']);
    recent.addPage(['c', 'd']); // fills the generation: it becomes the older one
    expect(recent.has('a') && recent.has('d')).toBe(true);
    recent.addPage(['e', 'f', 'g']);
    // At least the last `window` entries, and the last page whole; nothing older than two generations.
    expect(['e', 'f', 'g'].every((tag) => recent.has(tag))).toBe(true);
    expect(recent.has('a')).toBe(false);
  });
});

describe('referrers listing cap', () => {
  it('stops past maxEntries referrers with ListingTooLargeError', async () => {
    const subject = sha256('subject');
    const descriptor = (i: number) => ({ mediaType: MediaTypes.OciManifest, digest: sha256(`r${i}`), size: 10 });
    server.use(
      http.get(`${ORIGIN}/v2/app/referrers/${subject}`, () =>
        HttpResponse.json(
          { schemaVersion: 2, mediaType: MediaTypes.OciIndex, manifests: [descriptor(1), descriptor(2), descriptor(3)] },
          { headers: { 'content-type': MediaTypes.OciIndex } },
        ),
      ),
    );
    const referrers = registry().repository('app').referrers();
    const error = await rejectionOf(referrers.getAll(subject, { maxEntries: 2 }));
    expect(ListingTooLargeError.isInstance(error)).toBe(true);
    expect(await referrers.getAll(subject, { maxEntries: 3 })).toHaveLength(3);
  });
});
