import { describe, expect, it } from 'vitest';
import { buildImage } from './content/build-image';
import { createFakeRegistry } from './fake-registry';
import { send } from './test-support';

async function list(registry: ReturnType<typeof createFakeRegistry>, path: string) {
  const response = await send(registry, path);
  return {
    status: response.status,
    link: response.headers.get('link'),
    body: (await response.json()) as Record<string, unknown>,
  };
}

describe('tags list', () => {
  it('returns every tag sorted, without Link, when n is absent', async () => {
    const registry = createFakeRegistry({ fixtures: false });
    const image = registry.putImage('team/app', ['b', 'latest', 'C', '10', '9', 'a'], buildImage());
    expect(image.digest).toMatch(/^sha256:/);
    const { status, link, body } = await list(registry, '/v2/team/app/tags/list');
    expect(status).toBe(200);
    expect(link).toBeNull();
    expect(body).toEqual({ name: 'team/app', tags: ['10', '9', 'C', 'a', 'b', 'latest'] });
  });

  it('follows a relative Link chain page by page until it ends', async () => {
    const registry = createFakeRegistry({ fixtures: false });
    const names = registry.putTags('team/app', 7);
    const seen: string[] = [];
    const links: (string | null)[] = [];
    let path: string | undefined = '/v2/team/app/tags/list?n=3';
    while (path !== undefined) {
      const page = await list(registry, path);
      seen.push(...(page.body.tags as string[]));
      links.push(page.link);
      path = page.link === null ? undefined : /^<([^>]+)>; rel="next"$/.exec(page.link)?.[1];
    }
    expect(seen).toEqual(names);
    expect(links).toEqual([
      '</v2/team/app/tags/list?last=t2&n=3>; rel="next"',
      '</v2/team/app/tags/list?last=t5&n=3>; rel="next"',
      null,
    ]);
  });

  it('sends no Link when the last page is exactly n long', async () => {
    const registry = createFakeRegistry({ fixtures: false });
    registry.putTags('team/app', 4);
    const { body, link } = await list(registry, '/v2/team/app/tags/list?n=2&last=t1');
    expect(body.tags).toEqual(['t2', 't3']);
    expect(link).toBeNull();
  });

  it('answers n=0 with an empty list and no Link', async () => {
    const registry = createFakeRegistry();
    const { body, link } = await list(registry, '/v2/library/golang/tags/list?n=0');
    expect(body).toEqual({ name: 'library/golang', tags: [] });
    expect(link).toBeNull();
  });

  it('treats last as exclusive and allows a last that is not a tag, with or without n', async () => {
    const registry = createFakeRegistry({ fixtures: false });
    registry.putTags('team/app', 5);
    expect((await list(registry, '/v2/team/app/tags/list?last=t1')).body.tags).toEqual(['t2', 't3', 't4']);
    expect((await list(registry, '/v2/team/app/tags/list?last=t10&n=1')).body.tags).toEqual(['t2']);
    expect((await list(registry, '/v2/team/app/tags/list?last=zzz')).body.tags).toEqual([]);
  });

  it('answers 400 PAGINATION_NUMBER_INVALID for a bad n', async () => {
    const registry = createFakeRegistry();
    for (const [n, detail] of [
      ['-1', -1],
      ['ten', 0],
    ] as const) {
      const { status, body } = await list(registry, `/v2/library/golang/tags/list?n=${n}`);
      expect(status).toBe(400);
      expect(body).toEqual({
        errors: [{ code: 'PAGINATION_NUMBER_INVALID', message: 'invalid number of results requested', detail: { n: detail } }],
      });
    }
  });

  it('caps n when the profile sets tagsMaxPageSize', async () => {
    const registry = createFakeRegistry({ profile: { ...createFakeRegistry().profile, tagsMaxPageSize: 10 } });
    expect((await list(registry, '/v2/library/golang/tags/list?n=10')).status).toBe(200);
    expect((await list(registry, '/v2/library/golang/tags/list?n=11')).status).toBe(400);
  });

  it('answers an unknown repository with 404 NAME_UNKNOWN', async () => {
    const registry = createFakeRegistry();
    const { status, body } = await list(registry, '/v2/nope/tags/list');
    expect(status).toBe(404);
    expect(body).toEqual({
      errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry', detail: { name: 'nope' } }],
    });
  });

  it('ignores n and last and keeps insertion order with the distribution-2.8 profile', async () => {
    const registry = createFakeRegistry({ fixtures: false, profile: 'distribution-2.8' });
    registry.putImage('team/app', ['b', 'latest', 'C', 'a'], buildImage());
    const { body, link } = await list(registry, '/v2/team/app/tags/list?n=1&last=b');
    expect(body.tags).toEqual(['b', 'latest', 'C', 'a']);
    expect(link).toBeNull();
  });
});

describe('catalog', () => {
  function registryWith(names: readonly string[]) {
    const registry = createFakeRegistry({ fixtures: false });
    const image = buildImage();
    for (const name of names) registry.putImage(name, 'latest', image);
    return registry;
  }

  it('pages exactly as 2.8.2 does on the recorded sequence', async () => {
    const registry = registryWith(['zeta', 'test/app', 'mid/two', 'alpha', 'mid/one']);
    const first = await list(registry, '/v2/_catalog?n=2');
    expect(first.body).toEqual({ repositories: ['alpha', 'mid/one'] });
    expect(first.link).toBe('</v2/_catalog?last=mid%2Fone&n=2>; rel="next"');
    const second = await list(registry, '/v2/_catalog?n=2&last=mid/one');
    expect(second.body).toEqual({ repositories: ['mid/two', 'test/app'] });
    expect(second.link).toBe('</v2/_catalog?last=test%2Fapp&n=2>; rel="next"');
    const third = await list(registry, '/v2/_catalog?n=2&last=mid/two');
    expect(third.body).toEqual({ repositories: ['test/app', 'zeta'] });
    expect(third.link).toBeNull();
    expect((await list(registry, '/v2/_catalog?n=2&last=zzz')).body).toEqual({ repositories: [] });
    expect((await list(registry, '/v2/_catalog?last=a')).body.repositories).toEqual([
      'alpha',
      'mid/one',
      'mid/two',
      'test/app',
      'zeta',
    ]);
  });

  it('sends no Link when the final page is exactly n long, and none for n=0', async () => {
    const registry = registryWith(['a', 'b', 'c', 'd', 'e']);
    const full = await list(registry, '/v2/_catalog?n=5');
    expect(full.body.repositories).toHaveLength(5);
    expect(full.link).toBeNull();
    const empty = await list(registry, '/v2/_catalog?n=0');
    expect(empty.body).toEqual({ repositories: [] });
    expect(empty.link).toBeNull();
  });

  it('uses a page of 100 when n is absent, negative or not a number', async () => {
    const names = Array.from({ length: 150 }, (_, i) => `repo${String(i).padStart(3, '0')}`);
    const registry = registryWith(names);
    for (const query of ['', '?n=-5', '?n=abc']) {
      const page = await list(registry, `/v2/_catalog${query}`);
      expect(page.body.repositories).toEqual(names.slice(0, 100));
      expect(page.link).toBe('</v2/_catalog?last=repo099&n=100>; rel="next"');
    }
  });

  it('answers n above 1000 with 400 PAGINATION_NUMBER_INVALID and the n in detail', async () => {
    const registry = registryWith(['a']);
    expect((await list(registry, '/v2/_catalog?n=1000')).status).toBe(200);
    const { status, body } = await list(registry, '/v2/_catalog?n=2000');
    expect(status).toBe(400);
    expect(body).toEqual({
      errors: [{ code: 'PAGINATION_NUMBER_INVALID', message: 'invalid number of results requested', detail: { n: 2000 } }],
    });
  });

  it('lists the fixtures by default', async () => {
    const registry = createFakeRegistry();
    expect((await list(registry, '/v2/_catalog')).body).toEqual({
      repositories: ['library/alpine', 'library/golang', 'library/hello'],
    });
  });
});
