import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base';

// platform 'node': this package reads files and runs credential helpers.
export default defineConfig(packageBuild({ index: 'src/index.ts' }, { platform: 'node' }));
