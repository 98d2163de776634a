// `pnpm check`: every quality gate in one go, with each step's time and result in a table at the end.
// Every step runs even when an earlier one fails, so one run shows every problem.
//
//   npx -y pnpm@10.34.8 check            (run it through pnpm: turbo needs pnpm on PATH)
//   npx -y pnpm@10.34.8 check --bail     stop after the first phase that fails
//
// Phases run one after another. The steps inside a phase run at the same time, and their output
// is printed whole, one step after another. The last phase pairs the packed-install smoke test
// (mostly waiting on npm) with the CPU-bound docs and versioning checks.
import { spawn } from 'node:child_process';
import { delimiter, join } from 'node:path';
import { repoRoot } from './lib.mjs';

const bail = process.argv.includes('--bail');
const here = 'scripts/check-packages';

const phases = [
  [{ name: 'lint', command: ['biome', 'check', '.'] }],
  // One turbo run: the build happens once (or comes from turbo's cache) and typecheck, publint
  // and attw share it.
  [{ name: 'typecheck + check:package', command: ['turbo', 'run', 'typecheck', 'check:package', '--output-logs=errors-only'] }],
  [{ name: 'deps + size', command: ['node', `${here}/deps-size.mjs`] }],
  [
    { name: 'smoke (packed install)', command: ['node', `${here}/smoke.mjs`] },
    { name: 'versioning', command: ['node', `${here}/versioning.mjs`] },
    { name: 'docs:check', command: ['node', `${here}/docs.mjs`, '--check'] },
  ],
];

const env = {
  ...process.env,
  PATH: [join(repoRoot, 'node_modules/.bin'), process.env.PATH].join(delimiter),
  TURBO_TELEMETRY_DISABLED: '1',
  DO_NOT_TRACK: '1',
};

function runStep(step, buffered) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(step.command[0], step.command.slice(1), {
      cwd: repoRoot,
      env,
      stdio: buffered ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    });
    let output = '';
    if (buffered) {
      child.stdout.on('data', (d) => {
        output += d;
      });
      child.stderr.on('data', (d) => {
        output += d;
      });
    }
    const finish = (ok, extra = '') => {
      resolve({ name: step.name, command: step.command, ok, seconds: (Date.now() - started) / 1000, output: output + extra });
    };
    child.on('error', (error) => finish(false, `could not start ${step.command[0]}: ${error.message}\n`));
    child.on('close', (code) => finish(code === 0));
  });
}

const startedAt = Date.now();
const results = [];
for (const phase of phases) {
  const buffered = phase.length > 1;
  if (!buffered) console.log(`\n━━ ${phase[0].name}: ${phase[0].command.join(' ')}`);
  const phaseResults = await Promise.all(phase.map((step) => runStep(step, buffered)));
  for (const r of phaseResults) {
    if (buffered) {
      console.log(`\n━━ ${r.name}: ${r.command.join(' ')}`);
      process.stdout.write(r.output);
    } else if (r.output) {
      process.stdout.write(r.output);
    }
  }
  results.push(...phaseResults);
  if (bail && phaseResults.some((r) => !r.ok)) break;
}

console.log('\n━━ summary (steps in the same phase ran at the same time)');
for (const r of results) console.log(`  ${r.ok ? 'ok  ' : 'FAIL'} ${r.name.padEnd(28)} ${r.seconds.toFixed(1).padStart(6)} s`);
console.log(`  wall time ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
const failed = results.filter((r) => !r.ok).length;
console.log(`check: ${results.length - failed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
