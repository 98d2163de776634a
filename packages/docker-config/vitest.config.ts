import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Several tests run real (fake) helper programs, a process start each; leave room on a busy machine.
    testTimeout: 20_000,
  },
});
