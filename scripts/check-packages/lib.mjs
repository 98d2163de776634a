// Shared helpers for the package quality gates in this folder. Plain Node (no build step), so
// the gates can run before or without any workspace package being importable.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const rootManifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
export const pnpmVersion = String(rootManifest.packageManager ?? 'pnpm@10.34.8').split('@')[1];

/** Reads and parses a JSON file. */
export function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/**
 * Every workspace package (from pnpm-workspace.yaml's `packages:` globs; only `dir` and
 * `dir/*` forms are used in this repo, so no glob library is needed).
 */
export function workspacePackages() {
  const yaml = readFileSync(join(repoRoot, 'pnpm-workspace.yaml'), 'utf8');
  const block = yaml.split(/^packages:\s*$/m)[1] ?? '';
  const patterns = [];
  for (const line of block.split('\n')) {
    const m = line.match(/^\s+-\s+['"]?([^'"\s]+)['"]?\s*$/);
    if (m) patterns.push(m[1]);
    else if (line.trim() !== '' && !line.startsWith(' ')) break;
  }
  const dirs = [];
  for (const pattern of patterns) {
    if (pattern.endsWith('/*')) {
      const base = join(repoRoot, pattern.slice(0, -2));
      if (!existsSync(base)) continue;
      for (const entry of readdirSync(base, { withFileTypes: true })) {
        if (entry.isDirectory()) dirs.push(join(base, entry.name));
      }
    } else {
      dirs.push(join(repoRoot, pattern));
    }
  }
  return dirs
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, rel: relative(repoRoot, dir), manifest: readJson(join(dir, 'package.json')) }))
    .sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));
}

/** Workspace packages that get published (everything not `"private": true`). */
export function publishedPackages() {
  return workspacePackages().filter((p) => p.manifest.private !== true);
}

/**
 * The `exports` subpaths a consumer can import (not `./package.json`), with the files each
 * condition points at.
 */
export function entryPoints(manifest) {
  const exportsField = manifest.exports;
  if (!exportsField || typeof exportsField !== 'object') return [];
  const result = [];
  for (const [subpath, target] of Object.entries(exportsField)) {
    if (subpath === './package.json') continue;
    const specifier = subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`;
    result.push({
      subpath,
      specifier,
      importTypes: target?.import?.types,
      importFile: target?.import?.default ?? (typeof target?.import === 'string' ? target.import : undefined),
      requireTypes: target?.require?.types,
      requireFile: target?.require?.default ?? (typeof target?.require === 'string' ? target.require : undefined),
    });
  }
  return result;
}

/** Runs a command; throws with its output when it fails. Returns stdout. */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? repoRoot,
    env: options.env ?? process.env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: options.inherit ? 'inherit' : 'pipe',
  });
  if (result.error) throw result.error;
  if (result.status !== 0 && !options.allowFailure) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
    throw new Error(`\`${command} ${args.join(' ')}\` exited ${result.status} in ${options.cwd ?? repoRoot}\n${output}`);
  }
  return options.allowFailure ? result : (result.stdout ?? '');
}

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).status === 0;
}

/**
 * How to call pnpm: the `pnpm` that launched us when there is one on PATH (true under
 * `npx pnpm run …`), else `npx -y pnpm@<packageManager version>` (corepack is broken here).
 */
export function pnpmCommand() {
  if (onPath('pnpm')) return { command: 'pnpm', prefix: [] };
  return { command: 'npx', prefix: ['-y', `pnpm@${pnpmVersion}`] };
}

export function pnpm(args, options) {
  const { command, prefix } = pnpmCommand();
  return run(command, [...prefix, ...args], options);
}

/**
 * `pnpm pack`s one package into `destination` (pnpm rewrites `workspace:` ranges to real
 * ones, which is what gets published) and returns the tarball's path.
 */
export function packPackage(pkg, destination) {
  const before = new Set(existsSync(destination) ? readdirSync(destination) : []);
  pnpm(['pack', '--pack-destination', destination], { cwd: pkg.dir });
  const created = readdirSync(destination).filter((f) => f.endsWith('.tgz') && !before.has(f));
  if (created.length !== 1) throw new Error(`pnpm pack of ${pkg.manifest.name} produced ${created.length} tarballs`);
  return join(destination, created[0]);
}

/** A fresh temp directory outside the workspace. */
export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), `${prefix}-`));
}

/** The exports targets missing on disk (the gates check built output), as messages. */
export function missingBuildOutput(pkg) {
  const missing = [];
  for (const entry of entryPoints(pkg.manifest)) {
    for (const file of [entry.importFile, entry.requireFile, entry.importTypes, entry.requireTypes]) {
      if (file && !existsSync(join(pkg.dir, file))) {
        missing.push(`${pkg.manifest.name}: ${file} (exports["${entry.subpath}"]) does not exist; build it first`);
      }
    }
  }
  for (const [command, file] of Object.entries(binEntries(pkg.manifest))) {
    if (!existsSync(join(pkg.dir, file)))
      missing.push(`${pkg.manifest.name}: ${file} (bin "${command}") does not exist; build it first`);
  }
  return missing;
}

/** The `bin` map of a manifest as `{ command: file }` (a string `bin` is named after the package). */
export function binEntries(manifest) {
  if (typeof manifest.bin === 'string') return { [manifest.name.split('/').pop()]: manifest.bin };
  return manifest.bin && typeof manifest.bin === 'object' ? manifest.bin : {};
}

/** Published packages, narrowed to the names given on the command line when there are any. */
export function selectedPackages(argv = process.argv.slice(2)) {
  const names = argv.filter((a) => !a.startsWith('-'));
  const all = publishedPackages();
  if (names.length === 0) return all;
  const unknown = names.filter((n) => !all.some((p) => p.manifest.name === n));
  if (unknown.length > 0) throw new Error(`not a published workspace package: ${unknown.join(', ')}`);
  return all.filter((p) => names.includes(p.manifest.name));
}

/** A tiny reporter: collects failures and prints a closing tally. */
export function createReporter(title) {
  const failures = [];
  let passed = 0;
  return {
    pass(message) {
      passed += 1;
      if (message) console.log(`  ok   ${message}`);
    },
    fail(message) {
      failures.push(message);
      console.log(`  FAIL ${message}`);
    },
    check(condition, message) {
      if (condition) this.pass(message);
      else this.fail(message);
      return condition;
    },
    get failures() {
      return failures;
    },
    finish() {
      console.log(`\n${title}: ${passed} passed, ${failures.length} failed`);
      if (failures.length > 0) {
        for (const f of failures) console.log(`  - ${f}`);
        process.exitCode = 1;
      }
    },
  };
}

export function formatKiB(bytes) {
  return `${(bytes / 1024).toFixed(2)} KiB`;
}
