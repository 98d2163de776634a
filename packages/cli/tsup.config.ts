import { readFileSync } from 'node:fs';
import type { Plugin } from 'esbuild';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * `serve`'s `import('@regkit/testing')` becomes a require of the sibling `fake-registry.cjs`, built
 * from `src/fake-registry.ts`, so the bin neither parses nor carries the fake registry for other commands.
 */
const fakeRegistryBesideTheBin: Plugin = {
  name: 'fake-registry-beside-the-bin',
  setup(build) {
    build.onResolve({ filter: /^@regkit\/testing$/ }, (args) =>
      /[\\/]commands[\\/]serve\.ts$/.test(args.importer) ? { path: './fake-registry.cjs', external: true } : undefined,
    );
  },
};

// One CommonJS file for every command but `serve` (start-up time is the product here): on Node 20
// a single CommonJS file loads several milliseconds sooner than ES module chunks, and there is no
// compile cache to lean on. @regkit/* are bundled in; the progress bar library (a dependency) is
// required only when a bar is drawn.
export default defineConfig({
  entry: { regkit: 'src/main.ts', 'fake-registry': 'src/fake-registry.ts' },
  format: ['cjs'],
  outExtension: () => ({ js: '.cjs' }),
  platform: 'node',
  target: 'node20',
  splitting: false,
  treeshake: true,
  clean: true,
  sourcemap: false,
  minify: true,
  dts: false,
  noExternal: [/^@regkit\//],
  external: ['cli-progress'],
  esbuildPlugins: [fakeRegistryBesideTheBin],
  banner: { js: '#!/usr/bin/env node' },
  define: { __REGKIT_VERSION__: JSON.stringify(version) },
});
