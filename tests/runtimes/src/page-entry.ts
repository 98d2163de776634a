/**
 * Entry for the Chromium page. Loaded with `?run` (see `chromium-run.ts`),
 * it runs the scenario at once and reports to the server it came from: no
 * DevTools client is attached then, so the renderer's memory is the page's
 * own. Otherwise it waits for Playwright to call `runInPageFake`.
 */

import type { PageReport, PhaseEvent } from './chromium-run';
import { type InPageResult, runInPageFake } from './in-page-fake';
import { runScenario, type ScenarioConfig } from './scenario';

declare global {
  interface Window {
    runInPageFake(): Promise<InPageResult>;
  }
}

async function post(path: string, body: PageReport | PhaseEvent): Promise<void> {
  const response = await fetch(path, { method: 'POST', body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
}

async function runAndReport(): Promise<void> {
  try {
    const config = (await (await fetch('/config')).json()) as ScenarioConfig;
    // The server reads the renderer's memory (baseline or peak) before it answers, so the page waits.
    const result = await runScenario(config, {
      rss: () => undefined,
      begin: (phase) => post('/phase', { event: 'begin', phase }),
      end: (phase) => post('/phase', { event: 'end', phase }),
      // `gc` exists because chromium-run.ts starts Chromium with --js-flags=--expose-gc.
      ...(typeof (globalThis as { gc?: unknown }).gc === 'function' && {
        collectGarbage: () => (globalThis as unknown as { gc(): void }).gc(),
      }),
    });
    // What a person looking at the page sees: the verified digest and where it was copied.
    document.body.textContent = `verified ${result.layerDigest} (${result.layerBytes} bytes), copied to ${result.copy.destination}`;
    await post('/result', { result, bodyText: document.body.textContent });
  } catch (error) {
    document.body.textContent = `failed: ${String(error)}`;
    await post('/result', {
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      bodyText: document.body.textContent,
    });
  }
}

window.runInPageFake = runInPageFake;
if (new URLSearchParams(location.search).has('run')) void runAndReport();
else document.body.textContent = 'ready';
