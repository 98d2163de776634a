import { describe, expect, it } from 'vitest';
import { canonicalScopes, coversScopes } from './scope-set';

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
