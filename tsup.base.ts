import type { Options } from 'tsup';

/**
 * Shared tsup settings: every package ships ESM (.js), CJS (.cjs) and matching
 * declaration files for each entry, so `exports` can nest `types` under both
 * `import` and `require`.
 */
export function packageBuild(entry: Record<string, string>, overrides: Options = {}): Options {
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    platform: 'neutral',
    splitting: false,
    treeshake: true,
    ...overrides,
  };
}
