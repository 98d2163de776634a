import { defineConfig } from 'vitest/config';

// Loopback-server tests (127.0.0.1 only): the shared transport contract, user instances, timeouts and proxies.
export default defineConfig({
  test: {
    include: ['src/**/*.integ.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
