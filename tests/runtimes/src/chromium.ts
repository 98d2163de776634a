import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Quiet, self-contained headless Chromium: no sandbox (root in CI), no GPU, no background traffic. */
export const HEADLESS_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const FLAGS = [...HEADLESS_FLAGS, '--remote-debugging-address=127.0.0.1', '--remote-debugging-port=0'];

/** A running Chromium with one page loaded from a loopback origin. */
export interface ChromiumPage {
  readonly page: Page;
  /** The page's origin, e.g. `http://127.0.0.1:<port>`. */
  readonly origin: string;
  close(): Promise<void>;
}

function waitForEndpoint(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`chromium did not start in 30 s:\n${stderr.slice(-2000)}`)), 30_000);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      stderr += text;
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(stderr);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`chromium exited with ${code}:\n${stderr.slice(-2000)}`));
    });
  });
}

/** Serves `page.js` inside a minimal HTML page on 127.0.0.1. */
async function servePage(script: string): Promise<Server> {
  const js = await readFile(script);
  const server = createServer((req, res) => {
    if (req.url === '/page.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
    } else {
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end('<!doctype html><title>regkit runtime suite</title><body></body><script type="module" src="/page.js"></script>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** Starts `executable` with a fresh profile, attaches playwright over CDP and opens the page. */
export async function openChromiumPage(executable: string, script: string): Promise<ChromiumPage> {
  const profile = await mkdtemp(join(tmpdir(), 'regkit-chromium-'));
  const pageServer = await servePage(script);
  const origin = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}`;
  const child = spawn(executable, [...FLAGS, `--user-data-dir=${profile}`, 'about:blank'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close().catch(() => {});
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await new Promise((resolve) => pageServer.close(resolve));
    await rm(profile, { recursive: true, force: true });
  };
  try {
    browser = await chromium.connectOverCDP(await waitForEndpoint(child));
    const context = browser.contexts()[0] ?? (await browser.newContext());
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => document.body.textContent === 'ready');
    return { page, origin, close };
  } catch (error) {
    await close();
    throw error;
  }
}
