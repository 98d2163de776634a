import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: {
      // The token server is test infrastructure: run it from source so these
      // tests do not wait on (or break with) a build of @regkit/testing.
      '@regkit/testing/token-server': fileURLToPath(new URL('../../packages/testing/src/token-server/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
    globalSetup: ['src/harness/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});
