// Docs that compile: every TypeScript code block in the READMEs, CONTRIBUTING.md and docs/ is
// type-checked under the repository's strict settings as an ES module and, where it can be, as
// CommonJS; blocks marked `runnable` are also bundled and run (against the fake registry, on
// loopback). Relative links must point at files that exist, and a package README, which ships to
// npm without the rest of the repository, may only link inside its own package.
//
// Fence info strings:
//   ```ts              a standalone module
//   ```ts continues    appended to the previous block of the same file (same module, same scope)
//   ```ts runnable     also run after the type check (it and its continuations): with Node, or as a
//                      vitest test file when it imports vitest (`it`, `useFakeRegistry`…)
//
// Inside a block:
//   import …                   hoisted to the top of the module (as written, they must come first anyway)
//   declare const x: T;        states what a fragment assumes (a value from an earlier step, a helper of
//                              the reader's own); hoisted with the imports, so it stays at module top level
//                              in the CommonJS wrapper too. A runnable block cannot assume: it must define.
//   'npm:@regkit/core'         a Deno specifier: type-checked as the package it names (version dropped)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const work = join(here, '.snippets');

function markdownFiles() {
  const files = ['README.md', 'CONTRIBUTING.md'];
  for (const folder of ['packages', 'examples']) {
    for (const name of readdirSync(join(root, folder))) {
      const readme = join(folder, name, 'README.md');
      if (existsSync(join(root, readme))) files.push(readme);
    }
  }
  const walk = (folder) => {
    for (const name of readdirSync(join(root, folder))) {
      const path = join(folder, name);
      if (statSync(join(root, path)).isDirectory()) walk(path);
      else if (name.endsWith('.md')) files.push(path);
    }
  };
  walk('docs');
  return files.filter((file) => existsSync(join(root, file)));
}

/** Code units of one markdown file: a block and the blocks that continue it. */
function unitsOf(file) {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const units = [];
  let open;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    if (open === undefined) {
      const fence = /^```(ts|typescript)\b(.*)$/.exec(line);
      if (fence === null) continue;
      const flags = new Set(fence[2].trim().split(/\s+/).filter(Boolean));
      for (const flag of flags) {
        if (!['continues', 'runnable'].includes(flag)) throw new Error(`${file}:${index + 1}: unknown code fence flag "${flag}"`);
      }
      open = { flags, startLine: index + 2, lines: [] };
    } else if (line.startsWith('```')) {
      if (open.flags.has('continues')) {
        const previous = units.at(-1);
        if (previous === undefined) throw new Error(`${file}:${open.startLine - 1}: "continues" with no block before it`);
        previous.blocks.push(open);
        if (open.flags.has('runnable')) previous.runnable = true;
      } else {
        units.push({ file, blocks: [open], runnable: open.flags.has('runnable') });
      }
      open = undefined;
    } else {
      open.lines.push(line);
    }
  }
  return units;
}

/** `npm:@scope/name@range/sub` → `@scope/name/sub`: Deno's npm specifiers name the same package. */
function withoutNpmPrefix(text) {
  return text.replace(
    /(['"])npm:((?:@[^/'"@]+\/)?[^/'"@]+)(?:@[^/'"]*)?(\/[^'"]*)?\1/g,
    (_, quote, name, subpath = '') => `${quote}${name}${subpath}${quote}`,
  );
}

/** How far a line opens (positive) or closes brackets; strings and line comments are skipped. */
function depthChange(text) {
  let depth = 0;
  const code = text.replace(/(['"`])(?:\\.|(?!\1).)*\1/g, '""').replace(/\/\/.*$/, '');
  for (const char of code) {
    if ('{(['.includes(char)) depth++;
    else if ('})]'.includes(char)) depth--;
  }
  return depth;
}

/**
 * Splits a unit into its import statements and `declare` statements (both hoisted to the module's top
 * level) and the rest, keeping a map back to markdown lines.
 */
function assemble(unit) {
  const imports = [];
  const declarations = [];
  const body = [];
  for (const block of unit.blocks) {
    let inImport = false;
    let declareDepth;
    block.lines.forEach((text, offset) => {
      const entry = { text, origin: `${unit.file}:${block.startLine + offset}` };
      if (declareDepth !== undefined || /^declare\s/.test(text)) {
        declarations.push(entry);
        declareDepth = (declareDepth ?? 0) + depthChange(text);
        if (declareDepth <= 0 && /[;}]\s*(\/\/.*)?$/.test(text)) declareDepth = undefined;
      } else if (inImport || /^import\s/.test(text)) {
        imports.push({ ...entry, text: withoutNpmPrefix(text) });
        inImport = !/;\s*(\/\/.*)?$/.test(text) && !/^import\s+['"][^'"]+['"]\s*$/.test(text);
      } else {
        body.push(entry);
      }
    });
  }
  return { imports, declarations, body };
}

const ESM_ONLY = /from\s+['"](vitest|@regkit\/testing\/vitest)['"]/;

function writeModule(path, entries, lineMap) {
  lineMap.set(
    path,
    entries.map((entry) => entry.origin),
  );
  writeFileSync(path, `${entries.map((entry) => entry.text).join('\n')}\n`);
}

function tsconfig(folder, module, extra = {}) {
  writeFileSync(
    join(folder, 'tsconfig.json'),
    JSON.stringify(
      {
        extends: relative(folder, join(root, 'tsconfig.base.json')),
        compilerOptions: { module, moduleResolution: module, noEmit: true, noUnusedLocals: false, types: ['node'], ...extra },
        include: ['*.ts'],
      },
      null,
      2,
    ),
  );
}

function typecheck(folder, lineMap) {
  const tsc = join(here, 'node_modules', 'typescript', 'bin', 'tsc');
  const run = spawnSync(process.execPath, [tsc, '-p', folder, '--pretty', 'false'], { encoding: 'utf8', cwd: here });
  const problems = [];
  const failedFiles = new Set();
  for (const line of `${run.stdout}${run.stderr}`.split('\n')) {
    const match = /^(.+?)\((\d+),(\d+)\): (error .*)$/.exec(line);
    if (match === null) {
      if (line.trim() !== '') problems.push(line);
      continue;
    }
    failedFiles.add(resolve(here, match[1]));
    const origins = lineMap.get(resolve(here, match[1]));
    const origin = origins?.[Number(match[2]) - 1] ?? `${match[1]}:${match[2]}`;
    problems.push(`${origin}: ${match[4]}`);
  }
  return { ok: run.status === 0, problems, failedFiles };
}

function checkLinks(files) {
  const problems = [];
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    const packageRoot = /^packages\/[^/]+\//.exec(file)?.[0];
    for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = match[1];
      if (/^[a-z]+:/i.test(target) || target.startsWith('#')) continue;
      const path = join(dirname(file), target.split('#')[0]);
      const line = text.slice(0, match.index).split('\n').length;
      if (!existsSync(join(root, path))) problems.push(`${file}:${line}: link to ${target}, which is not in the repository`);
      else if (packageRoot !== undefined && !`${path}/`.startsWith(packageRoot)) {
        problems.push(
          `${file}:${line}: link to ${target}, outside the package: it does not ship to npm (link the npm page instead)`,
        );
      }
    }
  }
  return problems;
}

/** A block that imports vitest is a test file: vitest runs it, as the reader's project would. */
function runTests(unitPath, name) {
  const folder = join(work, 'vitest');
  const file = `${name}.test.ts`;
  writeFileSync(join(folder, file), readFileSync(unitPath));
  const vitest = join(here, 'node_modules', 'vitest', 'vitest.mjs');
  const ran = spawnSync(process.execPath, [vitest, 'run', '--root', folder, file], {
    encoding: 'utf8',
    cwd: folder,
    timeout: 120_000,
  });
  if (ran.status !== 0) return `${ran.stdout}${ran.stderr}`.trim() || `exit ${ran.status ?? ran.signal}`;
  return undefined;
}

async function run(unitPath, name) {
  // The JS API, not the `esbuild` bin: that file is the native binary where the platform package
  // replaced it, and Node cannot run it.
  const { build } = await import('esbuild');
  const bundle = join(work, 'run', `${name}.mjs`);
  try {
    await build({
      entryPoints: [unitPath],
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      outfile: bundle,
      logLevel: 'silent',
    });
  } catch (error) {
    return (error.errors ?? [error]).map((problem) => problem.text ?? String(problem)).join('\n');
  }
  const ran = spawnSync(process.execPath, [bundle], { encoding: 'utf8', cwd: here, timeout: 60_000 });
  if (ran.status !== 0) return `${ran.stdout}${ran.stderr}`.trim() || `exit ${ran.status ?? ran.signal}`;
  return undefined;
}

rmSync(work, { recursive: true, force: true });
const esmFolder = join(work, 'esm');
const cjsFolder = join(work, 'cjs');
for (const folder of [esmFolder, cjsFolder, join(work, 'run'), join(work, 'vitest')]) mkdirSync(folder, { recursive: true });
writeFileSync(join(esmFolder, 'package.json'), '{ "type": "module" }\n');
writeFileSync(join(cjsFolder, 'package.json'), '{ "type": "commonjs" }\n');
tsconfig(esmFolder, 'node16');
// A CommonJS project compiles `import` to `require`, which verbatimModuleSyntax forbids.
tsconfig(cjsFolder, 'node16', { verbatimModuleSyntax: false });

const files = markdownFiles();
const lineMap = new Map();
const runnable = [];
const structural = [];
let esmCount = 0;
let cjsCount = 0;
for (const file of files) {
  unitsOf(file).forEach((unit, index) => {
    const name = `${file.replace(/[^a-z0-9]+/gi, '-')}-${index + 1}`;
    const { imports, declarations, body } = assemble(unit);
    const esmPath = join(esmFolder, `${name}.ts`);
    writeModule(
      esmPath,
      [...imports, ...declarations, ...body, { text: 'export {};', origin: `${file} (end of block)` }],
      lineMap,
    );
    esmCount++;
    if (unit.runnable) {
      // A declared value does not exist when the block runs: a runnable block defines what it uses.
      if (declarations.length > 0) structural.push(`${declarations[0].origin}: a runnable block cannot use "declare"`);
      else {
        const test = imports.some((entry) => ESM_ONLY.test(entry.text));
        runnable.push({ path: esmPath, name, test, origin: `${file}:${unit.blocks[0].startLine}` });
      }
    }
    if (imports.some((entry) => ESM_ONLY.test(entry.text))) return;
    // CommonJS has no top-level await: the body runs inside an async function, as a CJS user writes it.
    const wrapped = [
      ...imports,
      ...declarations,
      { text: 'async function main(): Promise<void> {', origin: `${file} (wrapper)` },
      // Declarations exported at the top level of an ESM block are plain declarations in the wrapper.
      ...body.map((entry) => ({
        ...entry,
        text: entry.text.replace(/^export (?=(async )?(function|const|let|class|interface|type) )/, ''),
      })),
      { text: '}', origin: `${file} (wrapper)` },
      { text: 'void main;', origin: `${file} (wrapper)` },
    ];
    writeModule(join(cjsFolder, `${name}.ts`), wrapped, lineMap);
    cjsCount++;
  });
}

const failures = [...structural];
const esm = typecheck(esmFolder, lineMap);
if (!esm.ok) failures.push('TypeScript blocks, as ES modules:', ...esm.problems);
const cjs = typecheck(cjsFolder, lineMap);
if (!cjs.ok) failures.push('TypeScript blocks, as CommonJS:', ...cjs.problems);
const links = checkLinks(files);
if (links.length > 0) failures.push('Links:', ...links);
// A block that does not type-check is not run (its errors are reported above); the others are, so one
// broken block does not hide whether the rest still work.
for (const unit of runnable) {
  if (!esm.failedFiles.has(unit.path)) {
    const problem = unit.test ? runTests(unit.path, unit.name) : await run(unit.path, unit.name);
    if (problem !== undefined) failures.push(`${unit.origin}: the runnable block failed:\n${problem}`);
  }
}

console.log(
  `docs: ${files.length} markdown files, ${esmCount} TypeScript blocks checked as ESM, ${cjsCount} as CJS, ${runnable.length} run`,
);
if (failures.length > 0) {
  console.error(failures.join('\n'));
  console.error('docs check failed: fix the blocks and links above (see tests/docs/check-snippets.mjs for the fence flags)');
  process.exit(1);
}
console.log(`${esmCount + cjsCount + runnable.length} passed, 0 failed`);
