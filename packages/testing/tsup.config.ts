import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base';

// `msw` stays an import of the `./msw` entry only (and a lazy one of
// `./vitest`), and `vitest` one of `./vitest` only, so the main entry works
// without either installed.
export default defineConfig(
  packageBuild({
    index: 'src/index.ts',
    msw: 'src/msw.ts',
    'token-server': 'src/token-server/index.ts',
    contract: 'src/contract/index.ts',
    vitest: 'src/vitest.ts',
  }),
);
