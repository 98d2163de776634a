import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from './errors';
import {
  CATALOG_SCOPE,
  canonicalScopes,
  coversScopes,
  formatScope,
  parseScope,
  repositoryScope,
  splitScopes,
  widenScopes,
} from './scope';

describe('repositoryScope', () => {
  it('asks pull for reads, pull,push for writes and delete for deletes', () => {
    expect(repositoryScope('a/b', 'GET')).toBe('repository:a/b:pull');
    expect(repositoryScope('a/b', 'HEAD')).toBe('repository:a/b:pull');
    expect(repositoryScope('a/b', 'PUT')).toBe('repository:a/b:pull,push');
    expect(repositoryScope('a/b', 'DELETE')).toBe('repository:a/b:delete');
    expect(parseScope(CATALOG_SCOPE)).toEqual({ type: 'registry', name: 'catalog', actions: ['*'] });
  });
});

describe('parseScope', () => {
  it('splits type at the first colon and actions at the last', () => {
    expect(parseScope('repository:samalba/my-app:pull,push')).toEqual({
      type: 'repository',
      name: 'samalba/my-app',
      actions: ['pull', 'push'],
    });
    expect(parseScope('repository:localhost:5000/foo:pull')).toEqual({
      type: 'repository',
      name: 'localhost:5000/foo',
      actions: ['pull'],
    });
    expect(parseScope('registry:catalog:*')).toEqual({ type: 'registry', name: 'catalog', actions: ['*'] });
    expect(parseScope('repository(plugin):a/b:pull')).toEqual({ type: 'repository(plugin)', name: 'a/b', actions: ['pull'] });
    expect(parseScope('repository:a:')).toEqual({ type: 'repository', name: 'a', actions: [] });
  });

  it('returns undefined for opaque or malformed scopes', () => {
    for (const scope of ['aws', 'repository:a', ':a:pull', 'repository::pull', 'a:b:pull c:d:push', '']) {
      expect(parseScope(scope)).toBeUndefined();
    }
  });

  it('round-trips with formatScope', () => {
    for (const scope of ['repository:a/b:pull,push', 'repository:localhost:5000/foo:pull', 'registry:catalog:*']) {
      const parsed = parseScope(scope);
      expect(parsed && formatScope(parsed)).toBe(scope);
    }
  });

  it('formatScope rejects malformed parts', () => {
    expect(() => formatScope({ type: 'a:b', name: 'x', actions: ['pull'] })).toThrow(InvalidOptionError);
    expect(() => formatScope({ type: 'repository', name: '', actions: ['pull'] })).toThrow(InvalidOptionError);
    expect(() => formatScope({ type: 'repository', name: 'x', actions: ['pu,ll'] })).toThrow(InvalidOptionError);
    expect(() => formatScope({ type: 'repository', name: 'a b', actions: ['pull'] })).toThrow(InvalidOptionError);
  });

  it('splitScopes splits a challenge scope parameter on spaces', () => {
    expect(splitScopes('repository:zeta:push,pull repository:test/app:pull')).toEqual([
      'repository:zeta:push,pull',
      'repository:test/app:pull',
    ]);
    expect(splitScopes('  a:b:c  ')).toEqual(['a:b:c']);
    expect(splitScopes(undefined)).toEqual([]);
    expect(splitScopes('')).toEqual([]);
  });
});

describe('canonicalScopes', () => {
  it('sorts actions and scopes, merges one resource, and keeps opaque scopes', () => {
    expect(canonicalScopes(['repository:b:push,pull', 'repository:a:pull', 'aws', 'repository:b:delete,pull'])).toEqual([
      'aws',
      'repository:a:pull',
      'repository:b:delete,pull,push',
    ]);
  });

  it('gives the same form for the same set in any order', () => {
    expect(canonicalScopes(['repository:x:pull,push', 'registry:catalog:*'])).toEqual(
      canonicalScopes(['registry:catalog:*', 'repository:x:push,pull']),
    );
  });

  it('keeps names with a port intact', () => {
    expect(canonicalScopes(['repository:localhost:5000/foo:push,pull'])).toEqual(['repository:localhost:5000/foo:pull,push']);
  });

  it('keeps different resources apart', () => {
    expect(canonicalScopes(['repository:a:pull', 'repository:b:pull'])).toHaveLength(2);
    expect(canonicalScopes([])).toEqual([]);
  });
});

describe('widenScopes', () => {
  it('adds the actions core asked on a challenged repository', () => {
    expect(widenScopes(['repository:a:pull'], ['repository:a:pull,push'])).toEqual(['repository:a:pull,push']);
    expect(widenScopes(['repository:localhost:5000/a:pull'], ['repository:localhost:5000/a:push,pull'])).toEqual([
      'repository:localhost:5000/a:pull,push',
    ]);
  });

  it('never adds a resource the registry did not challenge for', () => {
    expect(widenScopes(['repository:a:pull'], ['repository:b:pull,push'])).toEqual(['repository:a:pull']);
    expect(widenScopes(['repository:a:pull', 'aws'], ['repository:a:pull', 'registry:catalog:*'])).toEqual([
      'repository:a:pull',
      'aws',
    ]);
  });

  it('keeps the registry’s spelling when nothing is missing, and widens one resource once', () => {
    const challenged = ['repository:a:push,pull', 'repository:a:pull'];
    expect(widenScopes(challenged, ['repository:a:pull,push'])).toEqual(challenged);
    expect(widenScopes(['repository:a:pull', 'repository:a:delete'], ['repository:a:push'])).toEqual([
      'repository:a:pull,push',
      'repository:a:delete',
    ]);
    expect(widenScopes(['repository:a:*'], ['repository:a:push'])).toEqual(['repository:a:*']);
  });
});

describe('coversScopes', () => {
  it('is true when every wanted action was asked for', () => {
    expect(coversScopes(['repository:a:pull,push'], ['repository:a:push'])).toBe(true);
    expect(coversScopes(['repository:a:pull', 'repository:b:pull'], ['repository:b:pull', 'repository:a:pull'])).toBe(true);
    expect(coversScopes(['repository:a:*'], ['repository:a:delete'])).toBe(true);
    expect(coversScopes(['aws'], ['aws'])).toBe(true);
    expect(coversScopes([], [])).toBe(true);
  });

  it('is false when something more is wanted', () => {
    expect(coversScopes(['repository:a:pull'], ['repository:a:pull,push'])).toBe(false);
    expect(coversScopes(['repository:a:pull'], ['repository:b:pull'])).toBe(false);
    expect(coversScopes(['repository:a:pull'], ['aws'])).toBe(false);
    expect(coversScopes([], ['repository:a:pull'])).toBe(false);
  });
});
