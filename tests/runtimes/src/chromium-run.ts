/**
 * Runs the scenario in a headless Chromium page that no DevTools client is
 * attached to, for the memory measurement. Playwright (see `chromium.ts`)
 * enables the Network domain on every page it sees, and Chromium then
 * serializes each request body into a `Network.requestWillBeSent` event
 * inside the renderer: every 8 MiB upload chunk costs the renderer its size
 * again, which would be measured as the copy's memory. Here the page talks
 * to the server it was loaded from instead: it fetches its config, announces
 * each measured phase and waits for the answer (the baseline or the peak is
 * read in between), and posts its result.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HEADLESS_FLAGS } from './chromium';
import { type PeakGrowth, PeakRss } from './proc-memory';
import type { MeasuredPhase, ScenarioConfig, ScenarioResult } from './scenario';

/** What the page reported, and each renderer's memory over each phase. */
export interface PlainPageRun {
  readonly result: ScenarioResult;
  /** The page's text once done: what a person looking at it would see. */
  readonly bodyText: string;
  /** The page's origin, e.g. `http://127.0.0.1:<port>`. */
  readonly origin: string;
  readonly phases: ReadonlyMap<MeasuredPhase, readonly PeakGrowth[]>;
}

/** What the page posts to `/result`. */
export interface PageReport {
  readonly result?: ScenarioResult;
  readonly error?: string;
  readonly bodyText: string;
}

/** What the page posts to `/phase`; answered once the memory was read. */
export interface PhaseEvent {
  readonly event: 'begin' | 'end';
  readonly phase: MeasuredPhase;
}

async function readJson<T>(request: IncomingMessage): Promise<T> {
  let text = '';
  request.setEncoding('utf8');
  for await (const piece of request) text += piece;
  return JSON.parse(text) as T;
}

/** Pids of `root`'s descendants started as renderers (`--type=renderer`), from `/proc`. */
async function rendererPidsUnder(root: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // `pid (comm) state ppid …`; comm may hold spaces and parentheses, so read after the last `)`.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (Number.isSafeInteger(ppid)) parents.set(Number(entry), ppid);
  }
  const descends = (pid: number): boolean => {
    for (let at = parents.get(pid); at !== undefined && at > 1; at = parents.get(at)) if (at === root) return true;
    return false;
  };
  const renderers: number[] = [];
  for (const pid of parents.keys()) {
    if (!descends(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    // Chromium rewrites its command line into one space-separated string, so split on both.
    if (cmdline.split(/[\0 ]/).includes('--type=renderer')) renderers.push(pid);
  }
  return renderers;
}

export async function runScenarioInPlainPage(
  executable: string,
  script: string,
  config: ScenarioConfig,
  timeoutMs: number,
): Promise<PlainPageRun> {
  const js = await readFile(script);
  const profile = await mkdtemp(join(tmpdir(), 'regkit-chromium-'));
  const phases = new Map<MeasuredPhase, PeakGrowth[]>();
  let browserPid: number | undefined;
  let memory: PeakRss | undefined;
  let settle: { resolve(report: PageReport): void; reject(error: Error): void } | undefined;
  const reported = new Promise<PageReport>((resolve, reject) => {
    settle = { resolve, reject };
  });

  const onPhase = async ({ event, phase }: PhaseEvent): Promise<void> => {
    if (browserPid === undefined) throw new Error('chromium has no pid');
    // The renderers are known once the page runs; a new one (none is expected) would be missed, not mismeasured.
    memory ??= new PeakRss(await rendererPidsUnder(browserPid));
    if (event === 'begin') await memory.baseline();
    else phases.set(phase, await memory.peaks());
  };
  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (request.method === 'GET' && request.url === '/page.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
    } else if (request.method === 'GET' && request.url === '/config') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(config));
    } else if (request.method === 'POST' && request.url === '/phase') {
      await onPhase(await readJson<PhaseEvent>(request));
      response.writeHead(204).end();
    } else if (request.method === 'POST' && request.url === '/result') {
      settle?.resolve(await readJson<PageReport>(request));
      response.writeHead(204).end();
    } else {
      response
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end('<!doctype html><title>regkit runtime suite</title><body></body><script type="module" src="/page.js"></script>');
    }
  };
  const server = createServer((request, response) => {
    route(request, response).catch((error: Error) => {
      settle?.reject(error);
      response.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // `gc()` for the page: see `MemoryProbe.collectGarbage`.
  const flags = [...HEADLESS_FLAGS, '--js-flags=--expose-gc', `--user-data-dir=${profile}`];
  const child = spawn(executable, [...flags, `${origin}/?run`], {
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  browserPid = child.pid;
  child.once('exit', (code) => settle?.reject(new Error(`chromium exited with ${code} before the page reported`)));
  const timer = setTimeout(() => settle?.reject(new Error(`the page reported nothing in ${timeoutMs} ms`)), timeoutMs);
  try {
    const report = await reported;
    if (report.result === undefined) throw new Error(`the page failed: ${report.error ?? 'no result'}`);
    return { result: report.result, bodyText: report.bodyText, origin, phases };
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    // Chromium's helpers may still be flushing the profile as the browser exits.
    await rm(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }
}
