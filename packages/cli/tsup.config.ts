import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

// One ESM file for the commands people run most (start-up time is the product here), with
// @regkit/* bundled in. `serve` loads the fake registry from a separate chunk, and the progress
// bar library (a dependency) is imported only when a bar is drawn.
export default defineConfig({
  entry: { regkit: 'src/main.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  splitting: true,
  treeshake: true,
  clean: true,
  sourcemap: false,
  minify: true,
  dts: false,
  noExternal: [/^@regkit\//],
  external: ['cli-progress'],
  banner: { js: '#!/usr/bin/env node' },
  define: { __REGKIT_VERSION__: JSON.stringify(version) },
});
