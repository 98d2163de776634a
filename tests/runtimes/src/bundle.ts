import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

/** The client bundles, written to a temp directory outside the workspace (no package.json for Deno or Bun to pick up). */
export interface Bundles {
  readonly directory: string;
  /** ESM for `node`, `bun` and `deno run`. */
  readonly cli: string;
  /** ESM for the Chromium page. */
  readonly page: string;
  remove(): Promise<void>;
}

/**
 * Bundles both entries for `platform: 'browser'`: a `node:` import or a
 * Node built-in anywhere in core or auth-token fails the build, so every
 * runtime runs exactly what a browser would.
 */
export async function bundleClients(): Promise<Bundles> {
  const directory = await mkdtemp(join(tmpdir(), 'regkit-runtimes-'));
  const entries = { cli: 'cli-entry.ts', page: 'page-entry.ts' } as const;
  await build({
    entryPoints: Object.fromEntries(
      Object.entries(entries).map(([name, file]) => [name, new URL(file, import.meta.url).pathname]),
    ),
    outdir: directory,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
  });
  return {
    directory,
    cli: join(directory, 'cli.js'),
    page: join(directory, 'page.js'),
    remove: () => rm(directory, { recursive: true, force: true }),
  };
}
