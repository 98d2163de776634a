import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

/** A JavaScript runtime the suite can start, or why it cannot. */
export type Found = { readonly path: string } | { readonly missing: string };

const require = createRequire(import.meta.url);

function executable(path: string | undefined): path is string {
  if (path === undefined || path === '') return false;
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The native binary inside a runtime's npm platform package (an optional
 * dependency of `bun` / `deno`), run directly: no postinstall step, no
 * wrapper process, nothing downloaded.
 */
function fromPlatformPackage(wrapper: string, platformPackage: string, binary: string): string | undefined {
  try {
    const fromWrapper = createRequire(require.resolve(`${wrapper}/package.json`));
    return join(dirname(fromWrapper.resolve(`${platformPackage}/package.json`)), binary);
  } catch {
    return undefined;
  }
}

function onPath(program: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && executable(join(dir, program))) return join(dir, program);
  }
  return undefined;
}

function find(name: string, envVariable: string, candidates: readonly (string | undefined)[], hint: string): Found {
  const override = process.env[envVariable];
  if (override) return executable(override) ? { path: override } : { missing: `$${envVariable}=${override} is not executable` };
  const path = candidates.find(executable);
  return path === undefined ? { missing: `${name} not found (${hint}; or set $${envVariable})` } : { path };
}

const os = platform();
const cpu = arch();

/** Bun from the `bun` devDependency (its `@oven/bun-<os>-<arch>` package). */
export function findBun(): Found {
  return find(
    'bun',
    'REGKIT_BUN_BIN',
    [fromPlatformPackage('bun', `@oven/bun-${os}-${cpu === 'arm64' ? 'aarch64' : cpu}`, 'bin/bun')],
    'run pnpm install; the `bun` devDependency brings the binary',
  );
}

/** Deno from the `deno` devDependency (its `@deno/<os>-<arch>-glibc` package). */
export function findDeno(): Found {
  return find(
    'deno',
    'REGKIT_DENO_BIN',
    [fromPlatformPackage('deno', `@deno/${os}-${cpu}-glibc`, 'deno'), fromPlatformPackage('deno', `@deno/${os}-${cpu}`, 'deno')],
    'run pnpm install; the `deno` devDependency brings the binary',
  );
}

/** Debian's `chromium` package (playwright-core downloads no browser). */
export function findChromium(): Found {
  return find(
    'chromium',
    'REGKIT_CHROMIUM_BIN',
    ['/usr/bin/chromium', onPath('chromium'), onPath('chromium-browser')],
    'apt-get install chromium',
  );
}
