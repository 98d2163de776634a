import { defineConfig } from 'vitest/config';

// Loopback tests (127.0.0.1 only): the transport contract, and the built `regkit` binary run as a
// subprocess against `regkit serve` and a pseudo-terminal. Run `pnpm build` first.
export default defineConfig({
  test: {
    include: ['src/**/*.integ.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
