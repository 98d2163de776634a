// Versioning check: runs the real `changeset version` on throwaway copies of the repo and asserts
// how bumps propagate through @regkit/core's dependents.
//
// Scenarios (each on its own copy; the checkout itself is never touched):
//   pending     the repo's own .changeset/*.md: no package may end up with a bigger bump than its
//               changesets ask for, except a patch for an updated internal dependency. This is the
//               release the next `changeset version` would make.
//   core-minor  only "@regkit/core: minor": core gets the minor and a CHANGELOG.md; a package that
//               peer-depends on core is left alone when its published peer range still covers the
//               new core (onlyUpdatePeerDependentsWhenOutOfRange) and must never get a major; a
//               package with core as a regular dependency gets a patch and a CHANGELOG.md.
//   core-major  only "@regkit/core: major": every peer dependent is bumped (its old range no longer
//               covers core), so users are never left with an unsatisfiable peer.
//
//   node scripts/check-packages/versioning.mjs [--keep]
import { cpSync, existsSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { createReporter, readJson, repoRoot, run, tempDir, workspacePackages } from './lib.mjs';

const keep = process.argv.includes('--keep');
const report = createReporter('versioning');
const changesetCli = join(repoRoot, 'node_modules/@changesets/cli/bin.js');
// semver ships with @changesets/cli, so no extra devDependency is needed for range checks.
const semver = createRequire(realpathSync(join(repoRoot, 'node_modules/@changesets/cli/package.json')))('semver');

const CORE = '@regkit/core';
const SKIP = new Set(['node_modules', 'dist', '.turbo', '.tmp', '.git', 'coverage']);
const BUMPS = ['none', 'patch', 'minor', 'major'];

/** A copy of the working tree (uncommitted work included) without installs or build output. */
function copyRepo() {
  const dir = tempDir('regkit-versioning');
  cpSync(repoRoot, dir, { recursive: true, filter: (src) => !SKIP.has(basename(src)) });
  // The changelog generator is resolved from .changeset/, so the copy needs the root installs.
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

function packagesIn(dir) {
  const byName = new Map();
  for (const pkg of workspacePackages()) {
    const file = join(dir, pkg.rel, 'package.json');
    byName.set(pkg.manifest.name, { rel: pkg.rel, file, manifest: readJson(file) });
  }
  return byName;
}

function bumpBetween(from, to) {
  if (from === to) return 'none';
  const diff = semver.diff(from, to);
  if (diff === 'major' || diff === 'premajor') return 'major';
  if (diff === 'minor' || diff === 'preminor') return 'minor';
  return 'patch';
}

/** The range a `workspace:` specifier is published as (what pnpm pack writes). */
function publishedRange(spec, version) {
  if (!spec.startsWith('workspace:')) return spec;
  const range = spec.slice('workspace:'.length);
  if (range === '*') return version;
  if (range === '^' || range === '~') return `${range}${version}`;
  return range;
}

function clearChangesets(dir) {
  const folder = join(dir, '.changeset');
  for (const file of readdirSync(folder)) {
    if (file.endsWith('.md') && file !== 'README.md') rmSync(join(folder, file));
  }
}

/** The bump each package asks for in the changesets currently in `dir`. */
function requestedBumps(dir) {
  const requested = new Map();
  const folder = join(dir, '.changeset');
  for (const file of readdirSync(folder)) {
    if (!file.endsWith('.md') || file === 'README.md') continue;
    const front = readFileSync(join(folder, file), 'utf8').split(/^---\s*$/m)[1] ?? '';
    for (const m of front.matchAll(/^\s*['"]?([^'":\s]+)['"]?\s*:\s*(patch|minor|major)\s*$/gm)) {
      const [, name, type] = m;
      const old = requested.get(name) ?? 'none';
      if (BUMPS.indexOf(type) > BUMPS.indexOf(old)) requested.set(name, type);
    }
  }
  return requested;
}

/** Runs `changeset version` on a fresh copy; returns before/after package states. */
function runScenario(name, prepare) {
  console.log(`\nscenario ${name}`);
  const dir = copyRepo();
  try {
    const before = packagesIn(dir);
    prepare(dir);
    const requested = requestedBumps(dir);
    const result = run('node', [changesetCli, 'version'], { cwd: dir, allowFailure: true });
    if (!report.check(result.status === 0, `${name}: changeset version succeeds`)) {
      console.log(result.stdout, result.stderr);
      return undefined;
    }
    const after = packagesIn(dir);
    const plan = [];
    for (const [pkgName, b] of before) {
      const a = after.get(pkgName);
      const bump = bumpBetween(b.manifest.version, a.manifest.version);
      const changelog = join(dir, b.rel, 'CHANGELOG.md');
      plan.push({
        name: pkgName,
        private: b.manifest.private === true,
        from: b.manifest.version,
        to: a.manifest.version,
        bump,
        requested: requested.get(pkgName) ?? 'none',
        before: b.manifest,
        after: a.manifest,
        changelog: existsSync(changelog) ? readFileSync(changelog, 'utf8') : undefined,
      });
    }
    for (const p of plan.filter((x) => x.bump !== 'none')) {
      console.log(`  ${p.name.padEnd(28)} ${p.from} → ${p.to} (${p.bump}; changesets asked: ${p.requested})`);
    }
    return plan;
  } finally {
    if (keep) console.log(`  kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

function changelogHas(p, text) {
  return p.changelog?.includes(`## ${p.to}`) && p.changelog.includes(text);
}

function checkConfig() {
  const config = readJson(join(repoRoot, '.changeset/config.json'));
  report.check(
    config.___experimentalUnsafeOptions_WILL_CHANGE_IN_PATCH?.onlyUpdatePeerDependentsWhenOutOfRange === true,
    '.changeset/config.json sets onlyUpdatePeerDependentsWhenOutOfRange',
  );
  report.check(config.updateInternalDependencies === 'patch', '.changeset/config.json sets updateInternalDependencies: patch');
}

function checkPending() {
  const plan = runScenario('pending', () => {});
  if (!plan) return;
  for (const p of plan.filter((x) => !x.private)) {
    const allowed = p.requested === 'none' ? 'patch' : p.requested;
    const ok = BUMPS.indexOf(p.bump) <= BUMPS.indexOf(allowed);
    report.check(
      ok,
      `pending: ${p.name} ${p.from} → ${p.to} is a ${p.bump}; its changesets ask for ${p.requested}` +
        (ok ? '' : explainForcedBump(p)),
    );
  }
}

const hints = new Set();

/** A short reason for a forced bump; the long explanation is printed once at the end. */
function explainForcedBump(p) {
  const peer = p.before.peerDependencies?.[CORE];
  if (!peer) return '';
  const range = publishedRange(peer, p.from);
  if (semver.major(p.from) === 0 && /^workspace:\^$|^\^0\./.test(peer)) {
    hints.add(
      `A peer range of "workspace:^" is published as "^<core version>"; while core is 0.x that excludes every core minor, so ` +
        'changesets major-bumps each peer dependent (0.x → 1.0.0). Give the dependents a peer range that spans 0.x minors ' +
        '(e.g. "@regkit/core": "workspace:0.x" or "workspace:>=0.1.0 <1"), or release 1.0.0 first.',
    );
  }
  return ` (forced by peer "${CORE}": "${peer}", published as "${range}")`;
}

function checkCoreBump(type) {
  const scenario = `core-${type}`;
  const summary = `Sample ${type} change of ${CORE} written by scripts/check-packages/versioning.mjs.`;
  const plan = runScenario(scenario, (dir) => {
    clearChangesets(dir);
    writeFileSync(join(dir, '.changeset/check-versioning.md'), `---\n'${CORE}': ${type}\n---\n\n${summary}\n`);
  });
  if (!plan) return;
  const core = plan.find((p) => p.name === CORE);
  if (!report.check(Boolean(core), `${scenario}: ${CORE} is a workspace package`)) return;
  report.check(
    core.to === semver.inc(core.from, type),
    `${scenario}: ${CORE} ${core.from} → ${core.to} (expected ${semver.inc(core.from, type)})`,
  );
  report.check(changelogHas(core, summary), `${scenario}: ${CORE} CHANGELOG.md has a ## ${core.to} entry with the summary`);

  for (const p of plan.filter((x) => x.name !== CORE && !x.private)) {
    const peer = p.before.peerDependencies?.[CORE];
    const dep = p.before.dependencies?.[CORE];
    if (peer) {
      const range = publishedRange(peer, core.from);
      const covered = semver.satisfies(core.to, range);
      if (type === 'major') {
        report.check(
          p.bump !== 'none' && changelogHas(p, CORE),
          `${scenario}: peer dependent ${p.name} is bumped (${p.bump}) with a CHANGELOG.md entry; its published range "${range}" does not cover ${core.to}`,
        );
      } else if (covered) {
        report.check(
          p.bump === 'none',
          `${scenario}: peer dependent ${p.name} is not bumped (${p.from} → ${p.to}); its published range "${range}" covers ${core.to}`,
        );
      } else {
        report.check(
          p.bump === 'patch' || p.bump === 'minor',
          `${scenario}: peer dependent ${p.name} ${p.from} → ${p.to} (${p.bump}) must get at most a minor for a core ${type}` +
            (p.bump === 'patch' || p.bump === 'minor' ? '' : explainForcedBump(p)),
        );
      }
    } else if (dep) {
      report.check(
        p.bump === 'patch' && changelogHas(p, CORE),
        `${scenario}: ${p.name} (regular dependency "${dep}") gets a patch with an "Updated dependencies" CHANGELOG.md entry (${p.from} → ${p.to})`,
      );
    } else {
      report.check(
        p.bump === 'none',
        `${scenario}: ${p.name} does not depend on ${CORE} and is not bumped (${p.from} → ${p.to})`,
      );
    }
  }
}

checkConfig();
checkPending();
checkCoreBump('minor');
checkCoreBump('major');
for (const hint of hints) console.log(`\nhint: ${hint}`);
report.finish();
