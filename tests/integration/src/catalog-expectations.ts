import { expect } from 'vitest';

/**
 * The registries are shared by every test file, and the write-side files (push, copy, artifacts, the CLI) add
 * repositories of their own in whatever order vitest runs the files. A catalog listing is therefore checked for what
 * the seed guarantees: every seeded repository is there, in the registry's lexical order, each exactly once.
 */
export function expectCatalogHoldsSeed(names: readonly string[], seeded: readonly string[]): void {
  expect(new Set(names).size, 'no repository is listed twice').toBe(names.length);
  expect([...names].sort(), 'the registry lists repositories in lexical order').toEqual(names);
  expect(names).toEqual(expect.arrayContaining([...seeded]));
}
