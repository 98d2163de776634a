/**
 * The runtime suite: one client scenario (the read API, token auth, a
 * 64 MiB streamed blob) bundled for the browser platform and run on Node,
 * Bun and Deno against the fake registry and the real distribution
 * registry, and in headless Chromium against the fake registry with CORS.
 * Peak RSS growth over the stream is printed and must stay under 100 MiB.
 *
 * Outside CI a missing runtime skips its tests with a message; with
 * `CI=true` it fails them.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { connectionOf, PushClient, type RunningRegistry, startRegistry } from '@regkit/integration-tests/src/harness';
import { buildBlob, createFakeRegistry, type ListeningRegistry } from '@regkit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BigImage, buildBigImage, LAYER_BYTES } from './big-image';
import { type Bundles, bundleClients } from './bundle';
import { type ChromiumPage, openChromiumPage } from './chromium';
import { PeakRss } from './proc-memory';
import { type Found, findBun, findChromium, findDeno } from './runtimes';
import type { ScenarioConfig, ScenarioResult } from './scenario';

const execFileAsync = promisify(execFile);
const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
const MIB = 1024 * 1024;
/** Streaming the 64 MiB layer may add at most this much resident memory. */
const MEMORY_LIMIT = 100 * MIB;
const REPOSITORY = 'runtime/big';
const TAG = 'v1';
const USER = { username: 'runner', password: 'runner-pass-5d1e' } as const;

/** Skips (with the reason printed) outside CI; fails in CI. */
function available(name: string, found: Found): found is { path: string } {
  if ('path' in found) return true;
  if (IN_CI) return true; // the test runs and fails on the missing program
  console.warn(`[runtime suite] skipping ${name}: ${found.missing}`);
  return false;
}

function requirePath(found: Found): string {
  if ('path' in found) return found.path;
  throw new Error(found.missing);
}

interface Target {
  readonly name: 'fake' | 'distribution';
  readonly config: ScenarioConfig;
}

let bundles: Bundles;
let image: BigImage;
const targets = new Map<Target['name'], Target>();
const cleanups: (() => Promise<unknown>)[] = [];
let fake: ReturnType<typeof createFakeRegistry>;
let fakeServer: ListeningRegistry;

function configFor(origin: string, username: string, password: string): ScenarioConfig {
  return { domain: new URL(origin).host, username, password, repository: REPOSITORY, tag: TAG };
}

async function startFake(): Promise<void> {
  fake = createFakeRegistry({ auth: 'token', users: [USER], privateRepositories: ['runtime/*'], fixtures: false });
  fake.putBlob(REPOSITORY, image.config.bytes);
  fake.putBlob(REPOSITORY, image.layer);
  fake.putManifest(REPOSITORY, { bytes: image.manifest.bytes, mediaType: image.manifest.mediaType }, TAG);
  fakeServer = await fake.listen({ cors: true });
  cleanups.push(() => fakeServer.close());
  targets.set('fake', { name: 'fake', config: configFor(fakeServer.origin, USER.username, USER.password) });
}

async function startDistribution(): Promise<void> {
  let registry: RunningRegistry;
  try {
    registry = await startRegistry({ mode: 'token' });
  } catch (error) {
    if (IN_CI) throw error;
    console.warn(`[runtime suite] skipping the distribution registry: ${(error as Error).message}`);
    return;
  }
  cleanups.push(() => registry.stop());
  const admin = registry.users.find((user) => user.username === 'admin');
  const reader = registry.users.find((user) => user.username === 'reader');
  if (admin === undefined || reader === undefined) throw new Error('the harness registry has no admin or reader user');
  const push = new PushClient(connectionOf(registry), admin);
  await push.pushBlob(REPOSITORY, { ...image.config, mediaType: 'application/vnd.oci.image.config.v1+json' });
  await push.pushBlob(REPOSITORY, { digest: image.layer.digest, bytes: image.layer.read(), mediaType: image.layer.mediaType });
  await push.putManifest(REPOSITORY, TAG, image.manifest);
  targets.set('distribution', { name: 'distribution', config: configFor(registry.origin, reader.username, reader.password) });
}

beforeAll(async () => {
  image = buildBigImage();
  bundles = await bundleClients();
  cleanups.push(() => bundles.remove());
  await Promise.all([startFake(), startDistribution()]);
}, 120_000);

afterAll(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup().catch(() => {})));
});

function report(label: string, result: ScenarioResult): void {
  const growth = result.rssPeak - result.rssBefore;
  console.log(
    `[runtime suite] ${label}: ${result.layerBytes} bytes verified as ${result.layerDigest} in ${result.streamMs} ms; ` +
      `RSS before ${(result.rssBefore / MIB).toFixed(1)} MiB, peak ${(result.rssPeak / MIB).toFixed(1)} MiB, ` +
      `growth ${(growth / MIB).toFixed(1)} MiB (limit ${MEMORY_LIMIT / MIB} MiB)`,
  );
}

function checkResult(result: ScenarioResult): void {
  // Token registries answer anonymous pulls of a private repository with insufficient_scope.
  expect(result.anonymous).toMatch(/^(UnauthorizedError|InsufficientScopeError|ForbiddenError)$/);
  expect(result.tags).toEqual([TAG]);
  expect(result.manifestDigest).toBe(image.manifest.digest);
  expect(result.configArchitecture).toBe('amd64');
  expect(result.layerDigest).toBe(image.layer.digest);
  expect(result.layerBytes).toBe(LAYER_BYTES);
  expect(result.rssBefore).toBeGreaterThan(0);
  expect(result.rssPeak - result.rssBefore).toBeLessThan(MEMORY_LIMIT);
}

/** How to start the CLI bundle on each runtime. */
const RUNTIMES = {
  node: { find: (): Found => ({ path: process.execPath }), args: (bundle: string) => [bundle] },
  bun: { find: findBun, args: (bundle: string) => [bundle] },
  // Network access to loopback only; no config or lock file lookup, no update check.
  deno: { find: findDeno, args: (bundle: string) => ['run', '--no-config', '--no-lock', '--allow-net=127.0.0.1', bundle] },
} as const;

describe.each(Object.keys(RUNTIMES) as (keyof typeof RUNTIMES)[])('%s', (runtime) => {
  const found = RUNTIMES[runtime].find();
  describe.each(['fake', 'distribution'] as const)('against the %s registry', (targetName) => {
    it.runIf(available(runtime, found))(
      'reads, authenticates with a token and streams the 64 MiB layer within the memory limit',
      async (context) => {
        const target = targets.get(targetName);
        if (target === undefined) {
          if (IN_CI) throw new Error(`the ${targetName} registry did not start`);
          context.skip();
          return;
        }
        if (targetName === 'fake') fake.clearCalls();
        const { stdout, stderr } = await execFileAsync(
          requirePath(found),
          [...RUNTIMES[runtime].args(bundles.cli), JSON.stringify(target.config)],
          {
            cwd: bundles.directory,
            timeout: 90_000,
            maxBuffer: 4 * MIB,
            env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', DENO_DIR: `${bundles.directory}/deno`, NO_COLOR: '1' },
          },
        ).catch((error: { stdout?: string; stderr?: string; message: string }) => {
          throw new Error(`${runtime} failed: ${error.message}\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
        });
        const line = stdout.split('\n').find((each) => each.startsWith('RESULT '));
        if (line === undefined) throw new Error(`${runtime} printed no result:\n${stdout}\n${stderr}`);
        const result = JSON.parse(line.slice('RESULT '.length)) as ScenarioResult;
        report(`${runtime} / ${targetName}`, result);
        checkResult(result);
        if (targetName === 'fake') {
          // Token auth happened as the user, and the layer came through the registry once.
          expect(fake.tokenCalls.some((call) => call.username === USER.username)).toBe(true);
          expect(fake.calls.filter((call) => call.method === 'GET' && call.url.endsWith(image.layer.digest))).toHaveLength(1);
        }
      },
      120_000,
    );
  });
});

describe('chromium', () => {
  const found = findChromium();
  let browser: ChromiumPage | undefined;

  beforeAll(async () => {
    if ('path' in found) browser = await openChromiumPage(found.path, bundles.page);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  function openPage(): ChromiumPage {
    requirePath(found);
    if (browser === undefined) throw new Error('chromium did not start');
    return browser;
  }

  it.runIf(available('chromium', found))(
    'runs the scenario in a page against the fake registry with CORS; the renderer stays within the memory limit',
    async () => {
      const target = targets.get('fake');
      if (target === undefined) throw new Error('the fake registry did not start');
      fake.clearCalls();
      const { page, origin } = openPage();
      const pids = await openPage().rendererPids();
      expect(pids.length).toBeGreaterThan(0);
      const memory = new PeakRss(pids);
      await page.exposeFunction('regkitBeforeStream', () => memory.baseline());
      const result = await page.evaluate((config) => window.runRegkitScenario(config), target.config);
      const renderers = await memory.peaks();
      for (const each of renderers) {
        console.log(
          `[runtime suite] chromium renderer ${each.pid}: before ${(each.before / MIB).toFixed(1)} MiB, peak ${(each.peak / MIB).toFixed(1)} MiB`,
        );
      }
      // The page's renderer is the one that grew most; the others (a spare renderer) only add noise.
      const pageRenderer = renderers.reduce((most, each) => (each.peak - each.before > most.peak - most.before ? each : most));
      const measured: ScenarioResult = { ...result, rssBefore: pageRenderer.before, rssPeak: pageRenderer.peak };
      report('chromium (the page renderer) / fake', measured);
      checkResult(measured);
      expect(await page.textContent('body')).toBe(`verified ${image.layer.digest} (${LAYER_BYTES} bytes)`);
      // The requests really came from the page: a browser sends Origin on cross-origin fetches.
      expect(new Set(fake.calls.map((call) => call.headers.origin))).toEqual(new Set([origin]));
      expect(fake.tokenCalls.some((call) => call.username === USER.username)).toBe(true);
    },
    120_000,
  );

  it.runIf(available('chromium', found))(
    "runs @regkit/testing's fake registry inside the page, token auth and content builders included",
    async () => {
      const { page } = openPage();
      const result = await page.evaluate(() => window.runInPageFake());
      expect(result.digest).toBe(result.expectedDigest);
      expect(result.layerText).toContain('hello from the page');
      const blob = buildBlob(3 * 1024 * 1024 + 17, { seed: 'in-page' });
      expect(result.blobDigest).toBe(blob.digest);
      expect(result.blobBytes).toBe(blob.size);
      expect(result.tokenUsers.length).toBeGreaterThan(0);
      expect(result.tokenUsers.every((user) => user === 'page')).toBe(true);
    },
    60_000,
  );
});
