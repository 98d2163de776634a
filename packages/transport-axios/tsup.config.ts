import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base';

// platform 'node': this package imports node:stream and is Node-only.
export default defineConfig(packageBuild({ index: 'src/index.ts' }, { platform: 'node' }));
