// Temporary homes, config files and fake credential helpers for the unit tests.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

/** A scratch directory with `bin/` for fake helpers; `env()` puts it first on PATH. */
export interface Sandbox {
  readonly root: string;
  readonly home: string;
  readonly bin: string;
  /** Writes a file (parents created) and returns its path. */
  write(relative: string, content: string | object): string;
  /** Reads a file under the sandbox. */
  read(relative: string): string;
  /** An environment with HOME in the sandbox and `bin/` first on PATH; `extra` overrides. */
  env(extra?: Record<string, string | undefined>): Record<string, string | undefined>;
  /** Installs `docker-credential-<name>` as a shell script body. */
  shellHelper(name: string, body: string): string;
  /**
   * Installs `docker-credential-<name>`: a working helper backed by a JSON
   * file in the sandbox (`<name>-store.json`), logging each action to
   * `<name>-calls.log`.
   */
  storeHelper(name: string): { store(): Record<string, { Username: string; Secret: string }>; calls(): string[] };
  remove(): void;
}

export const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

export function createSandbox(): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'regkit-docker-config-'));
  const home = join(root, 'home');
  const bin = join(root, 'bin');
  mkdirSync(home, { recursive: true });
  mkdirSync(bin, { recursive: true });
  const write = (relative: string, content: string | object) => {
    const path = join(root, relative);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return path;
  };
  const install = (name: string, script: string) => {
    const path = join(bin, `docker-credential-${name}`);
    writeFileSync(path, script);
    chmodSync(path, 0o755);
    return path;
  };
  return {
    root,
    home,
    bin,
    write,
    read: (relative) => readFileSync(join(root, relative), 'utf8'),
    env: (extra = {}) => ({ HOME: home, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`, ...extra }),
    shellHelper: (name, body) => install(name, `#!/bin/sh\n${body}\n`),
    storeHelper: (name) => {
      const storeFile = join(root, `${name}-store.json`);
      const logFile = join(root, `${name}-calls.log`);
      install(
        name,
        `#!${process.execPath}
const fs = require('node:fs');
const action = process.argv[2];
const input = fs.readFileSync(0, 'utf8');
fs.appendFileSync(${JSON.stringify(logFile)}, action + ' ' + (action === 'store' ? JSON.parse(input).ServerURL : input) + '\\n');
let store = {};
try { store = JSON.parse(fs.readFileSync(${JSON.stringify(storeFile)}, 'utf8')); } catch {}
const save = () => fs.writeFileSync(${JSON.stringify(storeFile)}, JSON.stringify(store));
const notFound = () => { process.stdout.write('credentials not found in native keychain\\n'); process.exit(1); };
if (action === 'get') {
  const entry = store[input.trim()];
  if (!entry) notFound();
  process.stdout.write(JSON.stringify({ ServerURL: input.trim(), ...entry }));
} else if (action === 'store') {
  const { ServerURL, Username, Secret } = JSON.parse(input);
  store[ServerURL] = { Username, Secret };
  save();
} else if (action === 'erase') {
  if (!store[input.trim()]) notFound();
  delete store[input.trim()];
  save();
} else if (action === 'list') {
  process.stdout.write(JSON.stringify(Object.fromEntries(Object.entries(store).map(([k, v]) => [k, v.Username]))));
} else { process.exit(2); }
`,
      );
      return {
        store: () => {
          try {
            return JSON.parse(readFileSync(storeFile, 'utf8'));
          } catch {
            return {};
          }
        },
        calls: () => {
          try {
            return readFileSync(logFile, 'utf8').trim().split('\n').filter(Boolean);
          } catch {
            return [];
          }
        },
      };
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** The rejection of a promise (fails the test when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
