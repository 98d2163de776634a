import { describe, expect, it } from 'vitest';
import { formatScope, parseResourceScope } from './resource-scope';

describe('parseResourceScope', () => {
  it('splits the type at the first colon and the actions at the last', () => {
    expect(parseResourceScope('repository:samalba/my-app:pull,push')).toEqual({
      type: 'repository',
      name: 'samalba/my-app',
      actions: ['pull', 'push'],
    });
    expect(parseResourceScope('repository:localhost:5000/foo:pull')).toEqual({
      type: 'repository',
      name: 'localhost:5000/foo',
      actions: ['pull'],
    });
    expect(parseResourceScope('registry:catalog:*')).toEqual({ type: 'registry', name: 'catalog', actions: ['*'] });
    expect(parseResourceScope('repository(plugin):vieux/sshfs:pull')).toEqual({
      type: 'repository(plugin)',
      name: 'vieux/sshfs',
      actions: ['pull'],
    });
  });

  it('rejects malformed scopes', () => {
    for (const bad of [
      '',
      'pull',
      'repository',
      'repository:foo',
      ':foo:pull',
      'Repository:foo:pull',
      'repository::pull',
      'repository:foo:PULL',
      'repository:foo bar:pull',
      'repository:foo:pull,*x',
    ]) {
      expect(parseResourceScope(bad), bad).toBeUndefined();
      expect(parseResourceScope(bad, { emptyActions: 'reject' }), bad).toBeUndefined();
    }
  });

  it('drops empty actions by default', () => {
    expect(parseResourceScope('repository:foo:pull,,push')).toEqual({
      type: 'repository',
      name: 'foo',
      actions: ['pull', 'push'],
    });
    expect(parseResourceScope('repository:foo:')).toEqual({ type: 'repository', name: 'foo', actions: [] });
  });

  it('treats empty actions as malformed with emptyActions: reject', () => {
    expect(parseResourceScope('repository:foo:pull,,push', { emptyActions: 'reject' })).toBeUndefined();
    expect(parseResourceScope('repository:foo:', { emptyActions: 'reject' })).toBeUndefined();
    expect(parseResourceScope('repository:foo:pull,push', { emptyActions: 'reject' })).toEqual({
      type: 'repository',
      name: 'foo',
      actions: ['pull', 'push'],
    });
  });

  it('formats back to scope syntax', () => {
    expect(formatScope({ type: 'repository', name: 'a/b', actions: ['pull', 'push'] })).toBe('repository:a/b:pull,push');
    const text = 'repository:localhost:5000/foo:pull,delete';
    const parsed = parseResourceScope(text);
    expect(parsed && formatScope(parsed)).toBe(text);
  });
});
