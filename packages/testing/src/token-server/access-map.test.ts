import { describe, expect, it } from 'vitest';
import { parseResourceScope } from '../resource-scope';
import { globMatches, grantAccess } from './access-map';

describe('globMatches', () => {
  it('treats * as any run of characters, slashes included, and the rest literally', () => {
    expect(globMatches('*', 'a/b/c')).toBe(true);
    expect(globMatches('library/*', 'library/golang')).toBe(true);
    expect(globMatches('library/*', 'libraryx/golang')).toBe(false);
    expect(globMatches('a.b', 'axb')).toBe(false);
    expect(globMatches('bulk/repo-00*', 'bulk/repo-001')).toBe(true);
  });
});

describe('grantAccess', () => {
  const scope = (text: string) => {
    const parsed = parseResourceScope(text);
    if (!parsed) throw new Error(text);
    return parsed;
  };

  it('grants the intersection of requested and allowed actions', () => {
    const granted = grantAccess([scope('repository:library/golang:pull,push,delete')], { 'library/*': ['pull', 'push'] });
    expect(granted).toEqual([{ type: 'repository', name: 'library/golang', actions: ['pull', 'push'] }]);
  });

  it('leaves out resources with nothing granted', () => {
    expect(grantAccess([scope('repository:private/app:pull')], { 'library/*': ['pull'] })).toEqual([]);
  });

  it('lets * in a grant allow every requested action, but grants * only when allowed', () => {
    expect(grantAccess([scope('repository:x:pull,delete')], { '*': ['*'] })[0]?.actions).toEqual(['pull', 'delete']);
    expect(grantAccess([scope('repository:x:*')], { '*': ['pull'] })).toEqual([]);
  });

  it('grants the catalog only through a registry: key', () => {
    expect(grantAccess([scope('registry:catalog:*')], { '*': ['*'] })).toEqual([]);
    expect(grantAccess([scope('registry:catalog:*')], { 'registry:catalog': ['*'] })).toEqual([
      { type: 'registry', name: 'catalog', actions: ['*'] },
    ]);
  });

  it('merges repeated scopes for the same resource and unions matching grants', () => {
    const granted = grantAccess(
      [scope('repository:team/a:pull'), scope('repository:team/a:push'), scope('repository:other:pull')],
      {
        'team/*': ['pull'],
        'team/a': ['push'],
        other: ['pull'],
      },
    );
    expect(granted).toEqual([
      { type: 'repository', name: 'team/a', actions: ['pull', 'push'] },
      { type: 'repository', name: 'other', actions: ['pull'] },
    ]);
  });
});
