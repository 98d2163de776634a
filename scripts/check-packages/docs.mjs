// API docs for every published package, as one TypeDoc site.
//
// TypeDoc's "packages" mode can only give every package the same entry points, and
// @regkit/testing has several (./msw, ./token-server, ./contract). So each package is converted
// on its own (entry points read from its `exports` map and mapped back to src/), validated with
// the rules in the root typedoc.json (every public export documented, nothing referenced but not
// exported), written as JSON to .tmp/typedoc/, and the JSON files are merged into one site, where
// links (also across packages) are checked. This is what TypeDoc's packages mode does internally.
//
//   node scripts/check-packages/docs.mjs            → .tmp/docs/api/index.html
//   node scripts/check-packages/docs.mjs --check    validation only, nothing written
//   node scripts/check-packages/docs.mjs --check @regkit/core
// Reads sources only (packages see each other's src/ through `paths`), so no build is needed.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createReporter, entryPoints, publishedPackages, readJson, repoRoot, selectedPackages } from './lib.mjs';

const check = process.argv.includes('--check');
const report = createReporter(check ? 'docs-check' : 'docs');
const typedoc = join(repoRoot, 'node_modules/typedoc/bin/typedoc');
const config = join(repoRoot, 'typedoc.json');
const rootConfig = readJson(config);
const jsonDir = join(repoRoot, '.tmp/typedoc');
const optionsDir = join(repoRoot, '.tmp/typedoc-options');
const CONCURRENCY = 2;
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** `./dist/token-server.d.ts` → `src/token-server.ts` or `src/token-server/index.ts`. */
function sourceEntries(pkg) {
  const found = [];
  const missing = [];
  for (const entry of entryPoints(pkg.manifest)) {
    const target = entry.importTypes ?? entry.importFile ?? '';
    const stem = target.replace(/^\.\/dist\//, '').replace(/\.d\.ts$|\.js$/, '');
    const candidates = [`src/${stem}.ts`, `src/${stem}/index.ts`];
    const hit = candidates.find((c) => existsSync(join(pkg.dir, c)));
    if (hit) found.push(hit);
    else missing.push(`${entry.subpath} (looked for ${candidates.join(', ')})`);
  }
  return { found, missing };
}

function runTypedoc(args, cwd) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [typedoc, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.on('close', (code) => resolve({ code, output: output.replace(ANSI, '') }));
  });
}

/** Groups TypeDoc's output into what fails validation and other warnings worth reading. */
function summarize(output) {
  const lines = output.split('\n').map((l) => l.trim());
  const undocumented = lines
    .filter((l) => l.includes('does not have any documentation'))
    .map((l) => l.replace(/^\[warning\]\s*/, '').replace(/, defined in .*? does not have any documentation$/, ''));
  const notExported = lines
    .filter((l) => /is referenced by .* but not included in the documentation/.test(l))
    .map((l) => l.replace(/^\[warning\]\s*/, ''));
  const other = lines.filter(
    (l) =>
      (l.includes('[warning]') || l.includes('[error]')) &&
      !l.includes('does not have any documentation') &&
      !l.includes('but not included in the documentation') &&
      !/Found \d+ errors? and \d+ warnings?/.test(l),
  );
  return { undocumented, notExported, other };
}

/** TypeScript `paths` from every package's exports to its sources, so links across packages resolve. */
function sourcePaths(packages) {
  const paths = {};
  for (const pkg of packages) {
    const { found } = sourceEntries(pkg);
    entryPoints(pkg.manifest).forEach((entry, i) => {
      if (found[i]) paths[entry.specifier] = [join(pkg.dir, found[i])];
    });
  }
  return paths;
}

async function convertPackage(pkg, paths) {
  const name = pkg.manifest.name;
  const { found, missing } = sourceEntries(pkg);
  for (const m of missing) report.fail(`${name}: no source file for exports["${m}"]`);
  if (found.length === 0 || missing.length > 0) return;
  const slug = name.replace('@', '').replace('/', '__');
  const json = join(jsonDir, `${slug}.json`);
  // A program of just the entry points and what they import (no tests), where packages see each
  // other's sources, as in TypeDoc's own packages mode, so a {@link} or a type from @regkit/core
  // points at core's page in the merged site.
  const tsconfig = join(optionsDir, `${slug}.tsconfig.json`);
  writeFileSync(
    tsconfig,
    `${JSON.stringify({ extends: join(pkg.dir, 'tsconfig.json'), compilerOptions: { paths }, files: found.map((f) => join(pkg.dir, f)), include: [] }, null, 2)}\n`,
  );
  const options = join(optionsDir, `${slug}.json`);
  writeFileSync(
    options,
    `${JSON.stringify(
      {
        extends: [config],
        entryPointStrategy: 'resolve',
        entryPoints: found.map((f) => join(pkg.dir, f)),
        tsconfig,
        name,
        readme: existsSync(join(pkg.dir, 'README.md')) ? join(pkg.dir, 'README.md') : 'none',
        basePath: repoRoot,
        // Module names for multi-entry packages: "msw", "contract", … rather than full paths.
        displayBasePath: join(pkg.dir, 'src'),
        // As in TypeDoc's packages mode: link checks need the merged project (links across
        // packages), everything else (notExported, notDocumented, ...) is checked per package.
        validation: { ...rootConfig.validation, invalidLink: false, unusedMergeModuleWith: false },
        json,
      },
      null,
      2,
    )}\n`,
  );
  // Run from the repo root, so paths in the JSON are relative to where the merge runs.
  const result = await runTypedoc(['--options', options], repoRoot);
  const { undocumented, notExported, other } = summarize(result.output);
  const ok = result.code === 0;
  report.check(
    ok,
    `${name} (${found.join(', ')}): ${ok ? 'validates' : `TypeDoc exited ${result.code}`}` +
      (undocumented.length ? `; ${undocumented.length} undocumented` : '') +
      (notExported.length ? `; ${notExported.length} referenced but not exported` : ''),
  );
  for (const u of undocumented) console.log(`       undocumented: ${u}`);
  for (const n of notExported) console.log(`       not exported: ${n}`);
  for (const o of other) console.log(`       ${o}`);
  if (!ok && undocumented.length + notExported.length + other.length === 0) console.log(result.output);
}

async function main() {
  const packages = selectedPackages();
  rmSync(jsonDir, { recursive: true, force: true });
  mkdirSync(jsonDir, { recursive: true });
  mkdirSync(optionsDir, { recursive: true });
  const paths = sourcePaths(publishedPackages());
  const queue = [...packages];
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let pkg = queue.shift(); pkg; pkg = queue.shift()) await convertPackage(pkg, paths);
    }),
  );
  if (report.failures.length > 0) return report.finish();

  // The merged run checks links (across packages too) and, unless --check, writes the site.
  const merged = await runTypedoc(['--options', config, ...(check ? ['--emit', 'none'] : [])], repoRoot);
  const { other } = summarize(merged.output);
  for (const o of other) console.log(`       ${o}`);
  report.check(merged.code === 0, `merged project: links valid${merged.code === 0 ? '' : `\n${merged.output}`}`);
  const site = join(repoRoot, '.tmp/docs/api/index.html');
  if (!check && merged.code === 0) report.check(existsSync(site), `site written to ${relative(repoRoot, site)}`);
  report.finish();
}

await main();
