// Packed-install smoke test: what a user gets from `npm install`, not what the workspace links.
//
// 1. `pnpm pack` every published package (after a build).
// 2. A scratch project in the OS temp dir (outside the workspace, so nothing resolves back into
//    it) `npm install`s the tarballs. Only real third-party packages (undici, axios, msw, vitest,
//    @types/node) come from the registry; every @regkit/* package must resolve to its tarball.
// 3. Every `exports` subpath is imported from ESM and required from CJS, and both must expose the
//    same names. Subpaths that call vitest's hooks when loaded (policy.json `vitestOnlyEntries`)
//    are imported from a vitest test in the scratch project instead, and must be ESM-only.
// 4. Every entry point is type-checked as ESM (.ts), and every one with a "require" condition as
//    CJS (.cts); fixtures/consumer.ts is type-checked as ESM and CJS with moduleResolution
//    node16 and bundler, using the workspace's TypeScript; the node16 output is then run from
//    both module systems against the simulated registry on 127.0.0.1.
// 5. Every package with a `bin` is installed alone in another scratch project: `npx <package>
//    --help` must work there, and a CLI with `serve` must serve and answer its own `digest`.
//
//   node scripts/check-packages/smoke.mjs [--keep] [@regkit/name ...]   (after a build)
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  binEntries,
  createReporter,
  entryPoints,
  missingBuildOutput,
  packPackage,
  readJson,
  repoRoot,
  run,
  selectedPackages,
  tempDir,
} from './lib.mjs';

const keep = process.argv.includes('--keep');
const policy = readJson(new URL('./policy.json', import.meta.url));
const report = createReporter('smoke');
const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
const fixture = new URL('./fixtures/consumer.ts', import.meta.url);

/** Entry points that only load inside a vitest run (policy.json `vitestOnlyEntries`). */
function vitestOnly(entry, pkg) {
  return (policy.packages[pkg.manifest.name]?.vitestOnlyEntries ?? []).includes(entry.subpath);
}

function writeJson(file, value) {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Third-party peers a consumer installs itself. Optional ones too (vitest for
 * @regkit/testing/vitest): an entry point that imports one must load once it is there.
 */
function thirdPartyPeers(packages) {
  const published = new Set(packages.map((p) => p.manifest.name));
  const peers = {};
  for (const pkg of packages) {
    for (const [dep, range] of Object.entries(pkg.manifest.peerDependencies ?? {})) {
      if (!published.has(dep)) peers[dep] = range;
    }
  }
  return peers;
}

function installScratchProject(packages, scratch) {
  const packs = join(scratch, 'packs');
  const project = join(scratch, 'consumer');
  mkdirSync(packs, { recursive: true });
  mkdirSync(project, { recursive: true });

  const dependencies = {};
  for (const pkg of packages) {
    const tarball = packPackage(pkg, packs);
    dependencies[pkg.manifest.name] = `file:${tarball}`;
    console.log(`  packed ${relative(scratch, tarball)}`);
  }
  Object.assign(dependencies, thirdPartyPeers(packages));
  const typesNode = readJson(join(repoRoot, 'node_modules/@types/node/package.json')).version;
  writeJson(join(project, 'package.json'), {
    name: 'regkit-smoke-consumer',
    private: true,
    type: 'module',
    dependencies,
    devDependencies: { '@types/node': typesNode },
  });
  // Run from the scratch dir, so no workspace .npmrc applies; pnpm's npm_config_* variables (set
  // when this runs under `pnpm run`) are dropped so they do not leak into a plain npm project.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline', '--loglevel=error'], {
    cwd: project,
    env,
  });

  const lock = readJson(join(project, 'package-lock.json'));
  for (const [path, info] of Object.entries(lock.packages ?? {})) {
    const name = path.split('node_modules/').pop();
    if (!name?.startsWith('@regkit/')) continue;
    report.check(
      typeof info.resolved === 'string' && info.resolved.startsWith('file:'),
      `${path} installed from its tarball (${info.resolved ?? 'no resolved field'})`,
    );
  }
  return project;
}

function checkRuntimeImports(packages, project) {
  const specifiers = packages.flatMap((p) =>
    entryPoints(p.manifest)
      .filter((e) => !vitestOnly(e, p))
      .map((e) => e.specifier),
  );
  const vitestSpecifiers = packages.flatMap((p) =>
    entryPoints(p.manifest)
      .filter((e) => vitestOnly(e, p))
      .map((e) => ({ ...e, hasRequire: Boolean(e.requireFile) })),
  );
  if (vitestSpecifiers.length > 0) checkVitestEntries(vitestSpecifiers, project);
  const list = JSON.stringify(specifiers);
  // One try/catch per entry point, so one broken entry does not hide the others.
  writeFileSync(
    join(project, 'load-esm.mjs'),
    `const out = {};
for (const s of ${list}) {
  try {
    out[s] = { file: import.meta.resolve(s), names: Object.keys(await import(s)).filter((k) => k !== 'default').sort() };
  } catch (error) {
    out[s] = { error: String(error?.message ?? error).split('\\n')[0] };
  }
}
console.log(JSON.stringify(out));
`,
  );
  writeFileSync(
    join(project, 'load-cjs.cjs'),
    `const out = {};
for (const s of ${list}) {
  try {
    out[s] = { file: require.resolve(s), names: Object.keys(require(s)).filter((k) => k !== 'default' && k !== '__esModule').sort() };
  } catch (error) {
    out[s] = { error: String(error?.message ?? error).split('\\n')[0] };
  }
}
console.log(JSON.stringify(out));
`,
  );
  const load = (file) => {
    const result = run('node', [file], { cwd: project, allowFailure: true });
    if (result.status !== 0) {
      report.fail(`node ${file} failed:\n${result.stderr}`);
      return undefined;
    }
    return JSON.parse(result.stdout);
  };
  const esm = load('load-esm.mjs');
  const cjs = load('load-cjs.cjs');
  if (!esm || !cjs) return;
  for (const s of specifiers) {
    const e = esm[s];
    const c = cjs[s];
    report.check(!e.error, `import('${s}') loads${e.error ? `: ${e.error}` : ''}`);
    report.check(!c.error, `require('${s}') loads${c.error ? `: ${c.error}` : ''}`);
    if (e.error || c.error) continue;
    const esmFile = fileURLToPath(e.file);
    report.check(
      esmFile.startsWith(project) && c.file.startsWith(project),
      `${s} resolves inside the scratch project (${relative(project, esmFile)}, ${relative(project, c.file)})`,
    );
    report.check(e.names.length > 0, `import('${s}') exposes ${e.names.length} names`);
    const onlyEsm = e.names.filter((n) => !c.names.includes(n));
    const onlyCjs = c.names.filter((n) => !e.names.includes(n));
    report.check(
      onlyEsm.length === 0 && onlyCjs.length === 0,
      `require('${s}') exposes the same ${c.names.length} names as import()` +
        (onlyEsm.length || onlyCjs.length ? ` (ESM only: [${onlyEsm}], CJS only: [${onlyCjs}])` : ''),
    );
  }
}

/**
 * Entries that call vitest's hooks when loaded: a vitest test in the scratch project imports each
 * one (vitest always loads test files as ESM, so `import` is the only way in).
 */
function checkVitestEntries(entries, project) {
  const tests = entries
    .map(
      (e, i) => `import * as entry${i} from '${e.specifier}';
test('${e.specifier} loads inside vitest', () => {
  expect(Object.keys(entry${i}).length).toBeGreaterThan(0);
});`,
    )
    .join('\n');
  writeFileSync(join(project, 'entries.smoke.test.mjs'), `import { expect, test } from 'vitest';\n${tests}\n`);
  const vitest = join(project, 'node_modules/vitest/vitest.mjs');
  const result = run('node', [vitest, 'run', '--root', project, 'entries.smoke.test.mjs'], {
    cwd: project,
    allowFailure: true,
    env: { ...process.env, CI: 'true', NO_COLOR: '1' },
  });
  for (const e of entries) {
    report.check(
      result.status === 0,
      `import('${e.specifier}') loads inside a vitest run${result.status === 0 ? '' : `:\n${result.stdout}${result.stderr}`}`,
    );
    report.check(
      !e.hasRequire,
      `${e.specifier} is ESM-only${e.hasRequire ? ': its "require" condition can never load, since vitest is ESM-only (its CJS entry throws)' : ''}`,
    );
  }
}

/**
 * Splits tsc output into diagnostics about our code (the consumer, @regkit/* declarations, or no
 * file at all) and ones inside third-party declarations. skipLibCheck stays off so our .d.ts files
 * are checked, which also surfaces other libraries' needs (msw's types want the DOM lib); those
 * are not ours to fix and do not fail the run.
 */
function splitDiagnostics(output) {
  const diagnostics = [];
  for (const line of output.split('\n')) {
    const m = line.match(/^(\S[^(]*)\(\d+,\d+\): error TS\d+/);
    if (m) diagnostics.push({ file: m[1], text: line });
    else if (/^error TS\d+/.test(line)) diagnostics.push({ file: '', text: line });
    else if (line.trim() !== '' && diagnostics.length > 0) diagnostics[diagnostics.length - 1].text += `\n${line}`;
  }
  const isOurs = (d) => d.file === '' || d.file.startsWith('src/') || d.file.startsWith('node_modules/@regkit/');
  return { ours: diagnostics.filter(isOurs), theirs: diagnostics.filter((d) => !isOurs(d)) };
}

function checkTypes(packages, project) {
  const source = readFileSync(fixture, 'utf8');
  const entries = packages.flatMap((p) => entryPoints(p.manifest));
  const importAll = (list) => list.map((e, i) => `import * as entry${i} from '${e.specifier}';\nvoid entry${i};`).join('\n');
  // ESM-only entries (no "require" condition, e.g. @regkit/testing/vitest) cannot be required: the .cts copy leaves them out.
  const requirable = entries.filter((e) => e.requireFile || e.requireTypes);
  mkdirSync(join(project, 'src'), { recursive: true });
  const needed = [...new Set([...source.matchAll(/from '(@regkit\/[^/']+)/g)].map((m) => m[1]))];
  const absent = needed.filter((n) => !packages.some((p) => p.manifest.name === n));
  const withFixture = absent.length === 0;
  if (withFixture) {
    writeFileSync(join(project, 'src/consumer.ts'), source);
    writeFileSync(join(project, 'src/consumer.cts'), source);
  } else {
    console.log(`  note fixtures/consumer.ts skipped: needs ${absent.join(', ')}, not selected`);
  }
  writeFileSync(join(project, 'src/entries.ts'), `${importAll(entries)}\nexport {};\n`);
  writeFileSync(join(project, 'src/entries.cts'), `${importAll(requirable)}\nexport {};\n`);

  const common = {
    target: 'ES2022',
    strict: true,
    skipLibCheck: false,
    types: ['node'],
    rootDir: 'src',
    declaration: false,
  };
  const configs = {
    // A Node server project: no DOM lib, so our .d.ts files may only need what @types/node has.
    node16: { ...common, module: 'node16', moduleResolution: 'node16', lib: ['ES2023'], outDir: 'out' },
    // A bundled app (Vite, esbuild, webpack). It resolves the same .d.ts files node16's ESM side
    // already checked, so skipLibCheck saves re-checking every library's declarations.
    bundler: {
      ...common,
      module: 'preserve',
      moduleResolution: 'bundler',
      lib: ['ES2023', 'DOM'],
      skipLibCheck: true,
      noEmit: true,
    },
  };
  for (const [name, compilerOptions] of Object.entries(configs)) {
    const file = `tsconfig.${name}.json`;
    // Bundler users write ESM; the .cts copies are for the node16 (require condition) side.
    const include = name === 'node16' ? ['src/*.ts', 'src/*.cts'] : ['src/*.ts'];
    writeJson(join(project, file), { compilerOptions, include });
    const result = run('node', [tsc, '-p', file, '--pretty', 'false'], { cwd: project, allowFailure: true });
    const { ours, theirs } = splitDiagnostics(`${result.stdout}${result.stderr}`);
    if (theirs.length > 0) {
      const files = [...new Set(theirs.map((d) => d.file.split('/').slice(1, 3).join('/')))];
      console.log(`  note ${name}: ${theirs.length} errors inside third-party .d.ts files ignored (${files.join(', ')})`);
    }
    report.check(
      ours.length === 0,
      `tsc (moduleResolution ${name}) compiles the consumer${name === 'node16' ? ' as ESM and CJS' : ''} with no errors in it or in @regkit/* .d.ts` +
        (ours.length === 0 ? '' : `:\n${ours.map((d) => d.text).join('\n')}`),
    );
    if (name === 'node16' && ours.length === 0 && withFixture) runConsumer(project);
  }
}

function runConsumer(project) {
  const results = {};
  for (const [kind, file, load] of [
    ['ESM', 'out/consumer.js', "import('./out/consumer.js')"],
    ['CJS', 'out/consumer.cjs', "Promise.resolve(require('./out/consumer.cjs'))"],
  ]) {
    const script = `${load}.then((m) => m.inspectSimulatedHub()).then((d) => console.log(JSON.stringify(d)))`;
    const result = run('node', ['-e', script], { cwd: project, allowFailure: true });
    let digests = [];
    try {
      digests = JSON.parse(result.stdout);
    } catch {}
    results[kind] = digests.join(',');
    const ok = result.status === 0 && digests.length > 0 && digests.every((d) => /^sha256:[0-9a-f]{64}$/.test(d));
    report.check(
      ok,
      `${kind} consumer (${file}) resolves golang:1.12.0 via the loopback fake registry with every transport` +
        (ok ? ` → ${[...new Set(digests)].join(', ')}` : `:\n${result.stdout}${result.stderr}`),
    );
    if (ok) report.check(new Set(digests).size === 1, `${kind} consumer: every transport returns the same digest`);
  }
  if (results.ESM && results.CJS) report.check(results.ESM === results.CJS, 'ESM and CJS consumers agree on the digests');
}

/**
 * Every package with a `bin`, alone in a fresh project (nothing else installed): `npx <package>
 * --help` must work, and a CLI with a `serve` command must serve its fake registry and read from it,
 * which proves the bundle carries what it needs.
 */
async function checkBins(packages, project, scratch) {
  const consumer = readJson(join(project, 'package.json'));
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  for (const pkg of packages) {
    const bins = binEntries(pkg.manifest);
    if (Object.keys(bins).length === 0) continue;
    const name = pkg.manifest.name;
    const alone = join(scratch, `bin-${name.replace('/', '__')}`);
    mkdirSync(alone, { recursive: true });
    writeJson(join(alone, 'package.json'), {
      name: 'regkit-smoke-bin',
      private: true,
      dependencies: { [name]: consumer.dependencies[name] },
    });
    run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline', '--loglevel=error'], {
      cwd: alone,
      env,
    });
    const installed = Object.keys(readJson(join(alone, 'package-lock.json')).packages ?? {}).filter((p) =>
      p.includes('@regkit/'),
    );
    report.check(installed.length === 1, `${name}: installs alone, with no other @regkit/* package (${installed.join(', ')})`);
    const help = run('npx', ['--offline', name, '--help'], { cwd: alone, env, allowFailure: true });
    report.check(
      help.status === 0 && /Usage:/.test(help.stdout),
      `npx ${name} --help works from the packed tarball${help.status === 0 ? '' : `:\n${help.stdout}${help.stderr}`}`,
    );
    for (const command of Object.keys(bins)) {
      const bin = join(alone, 'node_modules/.bin', command);
      if (!/\bserve\b/.test(help.stdout)) continue;
      report.check(await serveAndRead(bin, alone), `${command} serve --port 0 answers ${command} digest from the packed install`);
    }
  }
}

/** Starts `<bin> serve --port 0`, reads its origin, resolves a fixture's digest through it, stops it. */
function serveAndRead(bin, cwd) {
  return new Promise((resolve) => {
    const server = spawn(bin, ['serve', '--port', '0'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => finish(false, 'no origin within 30 s'), 30_000);
    const finish = (ok, why) => {
      clearTimeout(timer);
      server.kill('SIGTERM');
      if (!ok) console.log(`  ${bin} serve: ${why}`);
      resolve(ok);
    };
    server.on('error', (error) => finish(false, error.message));
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const line = out.split('\n')[0];
      if (!out.includes('\n')) return;
      server.stdout.removeAllListeners('data');
      const host = line.replace(/^http:\/\//, '');
      const digest = run(bin, ['digest', `${host}/library/golang:1.12.0`], { cwd, allowFailure: true });
      finish(digest.status === 0 && /^sha256:[0-9a-f]{64}\n$/.test(digest.stdout), `digest: ${digest.stdout}${digest.stderr}`);
    });
  });
}

function timed(label, fn) {
  const started = Date.now();
  try {
    return fn();
  } finally {
    console.log(`  (${label}: ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
}

async function main() {
  const packages = selectedPackages();
  const missing = packages.flatMap(missingBuildOutput);
  if (missing.length > 0) {
    for (const m of missing) report.fail(m);
    report.finish();
    return;
  }
  const scratch = tempDir('regkit-smoke');
  console.log(`scratch project: ${scratch}`);
  try {
    const project = timed('pack + npm install', () => installScratchProject(packages, scratch));
    timed('imports', () => checkRuntimeImports(packages, project));
    timed('types + consumer run', () => checkTypes(packages, project));
    const started = Date.now();
    await checkBins(packages, project, scratch);
    console.log(`  (bins: ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (error) {
    report.fail(error instanceof Error ? error.message : String(error));
  } finally {
    if (keep) console.log(`kept ${scratch}`);
    else rmSync(scratch, { recursive: true, force: true });
  }
  report.finish();
}

await main();
