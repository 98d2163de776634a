import { rmSync } from 'node:fs';
import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base';

// `msw` stays an import of the `./msw` entry only (and a lazy one of
// `./vitest`), and `vitest` one of `./vitest` only, so the main entry works
// without either installed.
export default defineConfig(() => {
  // tsup runs the two builds below at the same time, so a `clean` in either
  // could delete the other's output (its dts worker removes every .d.ts in
  // `dist`); `dist` is emptied once here, before both start, instead.
  rmSync('dist', { recursive: true, force: true });
  return [
    packageBuild(
      {
        index: 'src/index.ts',
        msw: 'src/msw.ts',
        'token-server': 'src/token-server/index.ts',
        contract: 'src/contract/index.ts',
      },
      // The SHA-2 and HMAC used where `node:crypto` is missing are bundled,
      // as in core, so they add no runtime dependency.
      { clean: false, noExternal: ['@noble/hashes'] },
    ),
    // vitest is ESM-only (its CommonJS entry throws), so a `require` build of
    // this entry could never load: ship it as ESM alone.
    packageBuild({ vitest: 'src/vitest.ts' }, { format: ['esm'], clean: false, noExternal: ['@noble/hashes'] }),
  ];
});
