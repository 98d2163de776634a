#!/usr/bin/env node
/**
 * `pnpm example:downstream`: proves the packages work for a plain npm
 * consumer. Builds @regkit/core, @regkit/auth-token and @regkit/testing,
 * packs them with `pnpm pack` into examples/downstream/.tarballs/ (under
 * version-free names the example's package.json points at), installs the
 * example from scratch with npm (not pnpm) and runs its vitest suite.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const example = join(root, 'examples', 'downstream');
const tarballs = join(example, '.tarballs');
const PNPM = ['-y', 'pnpm@10.34.8'];
const PACKAGES = ['core', 'auth-token', 'testing'];

function run(step, command, args, cwd) {
  const started = performance.now();
  console.log(`\n> ${step}: ${command} ${args.join(' ')}`);
  execFileSync(command, args, { cwd, stdio: 'inherit', env: { ...process.env, npm_config_update_notifier: 'false' } });
  console.log(`  ${step} took ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

const filters = PACKAGES.flatMap((name) => ['--filter', `@regkit/${name}`]);
run('build', 'npx', [...PNPM, ...filters, 'run', 'build'], root);

rmSync(tarballs, { recursive: true, force: true });
mkdirSync(tarballs, { recursive: true });
for (const name of PACKAGES) {
  run(`pack @regkit/${name}`, 'npx', [...PNPM, 'pack', '--pack-destination', tarballs], join(root, 'packages', name));
  // regkit-core-0.0.0.tgz → regkit-core.tgz, so package.json need not follow versions.
  const packed = readdirSync(tarballs).find((file) => file.startsWith(`regkit-${name}-`) && file.endsWith('.tgz'));
  if (packed === undefined) throw new Error(`pnpm pack left no tarball for @regkit/${name} in ${tarballs}`);
  renameSync(join(tarballs, packed), join(tarballs, `regkit-${name}.tgz`));
}

// From scratch every time: npm would otherwise keep the previous tarballs' contents.
rmSync(join(example, 'node_modules'), { recursive: true, force: true });
rmSync(join(example, 'package-lock.json'), { force: true });
run('install', 'npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], example);
if (!existsSync(join(example, 'node_modules', '@regkit', 'testing', 'dist', 'vitest.js'))) {
  throw new Error('npm install did not install @regkit/testing with its vitest entry');
}
run('test', 'npx', ['vitest', 'run'], example);
