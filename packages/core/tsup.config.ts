import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base';

// `@noble/hashes` (the SHA-2 used where `node:crypto` is missing) is a
// devDependency bundled into dist, so the published core keeps zero runtime
// dependencies. Only its `sha2` and `utils` modules are imported.
// Splitting puts what the entries share (errors, scopes, policy) in common
// chunks, so an error thrown through `./spec` or `./transport-kit` is an
// instance of the root's class, in ESM and CJS alike.
export default defineConfig(
  packageBuild(
    { index: 'src/index.ts', spec: 'src/spec/index.ts', 'transport-kit': 'src/transport-kit/index.ts' },
    { noExternal: ['@noble/hashes'], splitting: true },
  ),
);
