import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: {
      // As in tests/integration: the harness's token server runs from source.
      '@regkit/testing/token-server': fileURLToPath(new URL('../../packages/testing/src/token-server/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One runtime at a time: their memory is measured, and the machine is small.
    fileParallelism: false,
  },
});
