import { defineConfig } from 'vitest/config';

// Tests that open loopback (127.0.0.1) servers.
export default defineConfig({
  test: {
    include: ['src/**/*.integ.test.ts'],
  },
});
