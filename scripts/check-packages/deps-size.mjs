// Dependency policy and size budgets for every published package, measured on what `pnpm pack`
// actually ships. Policy and budgets live in policy.json next to this file.
//
//   node scripts/check-packages/deps-size.mjs [@regkit/name ...]   (after a build)
import { readFileSync, rmSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import {
  binEntries,
  createReporter,
  entryPoints,
  formatKiB,
  missingBuildOutput,
  packPackage,
  readJson,
  run,
  selectedPackages,
  tempDir,
} from './lib.mjs';

const policyFile = new URL('./policy.json', import.meta.url);
const policy = readJson(policyFile);
const report = createReporter('deps-size');
const builtins = new Set(builtinModules);

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
function packageNameOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function isBuiltin(specifier) {
  return specifier.startsWith('node:') || builtins.has(specifier) || builtins.has(specifier.split('/')[0]);
}

function sameSet(actual, expected) {
  const a = [...new Set(actual)].sort();
  const e = [...new Set(expected)].sort();
  return a.length === e.length && a.every((x, i) => x === e[i]);
}

function list(values) {
  return values.length === 0 ? '(none)' : values.join(', ');
}

function checkManifest(pkg, rules) {
  const m = pkg.manifest;
  const name = m.name;
  const deps = Object.keys(m.dependencies ?? {});
  const peers = Object.keys(m.peerDependencies ?? {});
  const optionalPeers = Object.entries(m.peerDependenciesMeta ?? {})
    .filter(([, meta]) => meta?.optional === true)
    .map(([dep]) => dep);

  report.check(
    sameSet(deps, rules.dependencies),
    `${name}: dependencies are [${list(deps)}]; policy allows exactly [${list(rules.dependencies)}] (${rules.why})`,
  );
  report.check(
    sameSet(peers, rules.peerDependencies),
    `${name}: peerDependencies are [${list(peers)}]; policy wants exactly [${list(rules.peerDependencies)}]`,
  );
  const expectedOptional = rules.optionalPeerDependencies ?? [];
  report.check(
    sameSet(optionalPeers, expectedOptional),
    `${name}: optional peers (peerDependenciesMeta) are [${list(optionalPeers)}]; policy wants [${list(expectedOptional)}]`,
  );
  for (const field of ['optionalDependencies', 'bundleDependencies', 'bundledDependencies']) {
    const keys = Object.keys(m[field] ?? {});
    report.check(keys.length === 0, `${name}: no ${field} (found [${list(keys)}])`);
  }
  // Adapters peer on core across its whole 0.x line: they speak the versioned `specificationVersion`
  // interfaces, so a core minor must not force a major bump of every adapter (see versioning.mjs).
  const expectedRange = { dependencies: 'workspace:^', peerDependencies: 'workspace:0.x' };
  for (const field of ['dependencies', 'peerDependencies']) {
    for (const [dep, range] of Object.entries(m[field] ?? {})) {
      if (dep.startsWith('@regkit/')) {
        const expected = expectedRange[field];
        report.check(range === expected, `${name}: ${field}["${dep}"] is "${range}"; internal ${field} ranges are "${expected}"`);
      }
    }
  }
}

async function measureEntry(file, externals) {
  const result = await build({
    entryPoints: [file],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    // Declared deps, peers and their subpaths stay external: the budget is for our own code.
    external: [...externals.flatMap((d) => [d, `${d}/*`]), 'node:*', ...builtins],
  });
  const output = result.outputFiles.find((f) => f.path.endsWith('.js')) ?? result.outputFiles[0];
  const imported = new Set();
  for (const out of Object.values(result.metafile.outputs)) {
    for (const imp of out.imports) if (imp.external) imported.add(imp.path);
  }
  return { minified: output.contents.byteLength, gzipped: gzipSync(output.contents, { level: 9 }).byteLength, imported };
}

/**
 * A `bin` is shipped already bundled: its size as packed, gzipped, within `binBudgetsKiB`, and
 * every bare import in it (and in the chunks it loads) a declared dependency or a node builtin.
 */
async function checkBins(name, packed, root, rules, declared, rows) {
  for (const [command, file] of Object.entries(binEntries(packed))) {
    const path = join(root, file);
    const text = readFileSync(path, 'utf8');
    report.check(text.startsWith('#!/usr/bin/env node'), `${name} bin ${command}: starts with #!/usr/bin/env node`);
    const budget = rules.binBudgetsKiB?.[command] ?? policy.defaults.entryBudgetKiB;
    const gzipped = gzipSync(text, { level: 9 }).byteLength;
    rows.push({ name, entry: `bin ${command}`, minified: Buffer.byteLength(text), gzipped, budget });
    report.check(gzipped <= budget * 1024, `${name} bin ${command}: min+gzip ${formatKiB(gzipped)} within ${budget} KiB`);
    // esbuild follows the bin's own chunks and lists every bare import it leaves out.
    const result = await build({
      entryPoints: [path],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      logLevel: 'silent',
    });
    const imported = new Set();
    for (const out of Object.values(result.metafile.outputs)) {
      for (const imp of out.imports) if (imp.external) imported.add(imp.path);
    }
    const undeclared = [...imported].filter((s) => !isBuiltin(s) && !declared.includes(packageNameOf(s)));
    report.check(
      undeclared.length === 0,
      `${name} bin ${command}: imports only declared deps or node builtins${undeclared.length ? ` (undeclared: ${undeclared.join(', ')})` : ''}`,
    );
  }
}

async function main() {
  const packages = selectedPackages();
  const work = tempDir('regkit-deps-size');
  const rows = [];
  try {
    for (const pkg of packages) {
      const name = pkg.manifest.name;
      console.log(`\n${name} (${pkg.rel})`);
      const rules = policy.packages[name];
      if (!report.check(Boolean(rules), `${name}: has an entry in scripts/check-packages/policy.json`)) continue;
      checkManifest(pkg, rules);
      const missing = missingBuildOutput(pkg);
      if (missing.length > 0) {
        for (const message of missing) report.fail(message);
        continue;
      }

      const tarball = packPackage(pkg, work);
      const tarballBytes = statSync(tarball).size;
      const unpacked = join(work, name.replace('/', '__'));
      run('mkdir', ['-p', unpacked]);
      run('tar', ['-xzf', tarball, '-C', unpacked]);
      const root = join(unpacked, 'package');
      const packed = readJson(join(root, 'package.json'));
      const packedText = JSON.stringify(packed);
      report.check(!packedText.includes('workspace:'), `${name}: packed package.json has no "workspace:" ranges left`);

      const tarballBudget = rules.tarballBudgetKiB ?? policy.defaults.tarballBudgetKiB;
      report.check(
        tarballBytes <= tarballBudget * 1024,
        `${name}: tarball ${formatKiB(tarballBytes)} within ${tarballBudget} KiB`,
      );
      rows.push({ name, entry: '(tarball)', minified: '', gzipped: tarballBytes, budget: tarballBudget });

      const declared = [...Object.keys(packed.dependencies ?? {}), ...Object.keys(packed.peerDependencies ?? {})];
      await checkBins(name, packed, root, rules, declared, rows);
      for (const entry of entryPoints(packed)) {
        if (!entry.importFile) {
          report.fail(`${name}: exports["${entry.subpath}"] has no import condition`);
          continue;
        }
        const sizes = await measureEntry(join(root, entry.importFile), declared);
        const budget = rules.entryBudgetsKiB?.[entry.subpath] ?? policy.defaults.entryBudgetKiB;
        rows.push({ name, entry: entry.subpath, minified: sizes.minified, gzipped: sizes.gzipped, budget });
        report.check(
          sizes.gzipped <= budget * 1024,
          `${name} ${entry.subpath}: ESM min+gzip ${formatKiB(sizes.gzipped)} within ${budget} KiB`,
        );
        const undeclared = [...sizes.imported].filter((s) => !isBuiltin(s) && !declared.includes(packageNameOf(s)));
        report.check(
          undeclared.length === 0,
          `${name} ${entry.subpath}: imports only declared deps/peers or node builtins${undeclared.length ? ` (undeclared: ${undeclared.join(', ')})` : ''}`,
        );
        const nodeBuiltins = [...sizes.imported].filter(isBuiltin);
        if (nodeBuiltins.length > 0)
          console.log(`  note ${name} ${entry.subpath} imports Node builtins: ${nodeBuiltins.join(', ')}`);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  console.log('\nSize report (KiB; entries are minified ESM bundles with deps/peers external)');
  console.log(
    `${'package'.padEnd(28)} ${'entry'.padEnd(16)} ${'min'.padStart(9)} ${'min+gz'.padStart(9)} ${'budget'.padStart(7)}`,
  );
  for (const row of rows) {
    const min = row.minified === '' ? '' : (row.minified / 1024).toFixed(2);
    console.log(
      `${row.name.padEnd(28)} ${row.entry.padEnd(16)} ${min.padStart(9)} ${(row.gzipped / 1024).toFixed(2).padStart(9)} ${String(row.budget).padStart(7)}`,
    );
  }
  report.finish();
}

await main();
