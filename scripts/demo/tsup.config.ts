import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { demo: 'src/demo.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  clean: true,
  sourcemap: true,
});
