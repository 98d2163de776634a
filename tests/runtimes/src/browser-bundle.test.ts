/**
 * Keeps Node-only code off the entries that must load in browsers and
 * workers: each is bundled by esbuild for `platform: 'browser'`, which
 * refuses `node:*` imports and Node built-ins, and the output is searched
 * for Node globals used without a guard (`Buffer.…`, `process.…`,
 * `require(…)`). The loopback server and token server stay Node-only
 * behind their own entries (`listen()` looks `node:http` up at run time).
 */
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

/** What must bundle for a browser: the packages' main entries. */
const BROWSER_ENTRIES = ['@regkit/core', '@regkit/auth-token', '@regkit/auth-basic', '@regkit/testing'] as const;

/**
 * Node-only sites not yet fixed, as `identifier: the line's start`; each
 * must disappear when its file is fixed (the test fails on a stale entry).
 */
const KNOWN_SITES: Readonly<Record<string, readonly string[]>> = {};

/** Unguarded Node globals: property access on `Buffer`/`process`, calls of `require`/`setImmediate`, the CJS path globals. */
const NODE_GLOBAL =
  /(?<![\w$.])(?:(?:Buffer|process)\s*[.[][^;\n]{0,40}|(?:require|setImmediate)\s*\([^;\n]{0,40}|__dirname|__filename)/g;

async function bundleForBrowser(contents: string): Promise<string> {
  const result = await build({
    stdin: { contents, resolveDir: new URL('.', import.meta.url).pathname, loader: 'js' },
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    // No comments, one statement per line: what matches is code.
    minifyWhitespace: true,
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

function nodeGlobalsIn(code: string): string[] {
  return [...code.matchAll(NODE_GLOBAL)].map((match) => match[0]);
}

describe('browser bundles', () => {
  it.each(BROWSER_ENTRIES)('%s bundles for the browser platform with no Node-only global left', async (entry) => {
    const code = await bundleForBrowser(`export * from '${entry}';`);
    expect(code.length).toBeGreaterThan(1000);
    const found = nodeGlobalsIn(code);
    const known = KNOWN_SITES[entry] ?? [];
    expect(found.filter((site) => !known.some((allowed) => site.startsWith(allowed)))).toEqual([]);
    // A known site that is gone means its file was fixed: drop it from KNOWN_SITES.
    for (const allowed of known) expect(found.some((site) => site.startsWith(allowed))).toBe(true);
  });

  it('fails on a node: import', async () => {
    await expect(bundleForBrowser(`import { createHash } from 'node:crypto'; export const h = createHash;`)).rejects.toThrow(
      /node:crypto/,
    );
  });

  it('finds unguarded Node globals but not guarded ones or look-alike methods', () => {
    expect(
      nodeGlobalsIn(
        'const a=Buffer.from(x,"base64");\nconst b=process.env.HOME;\nconst c=require("fs");\n' +
          'const d=globalThis.process?.versions;\nclass H{process(view,offset){}}\nconst e=typeof process;',
      ),
    ).toEqual(['Buffer.from(x,"base64")', 'process.env.HOME', 'require("fs")']);
  });
});
