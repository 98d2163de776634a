/**
 * Entry for the Chromium page. The page's own memory is measured from
 * outside (the renderer process's RSS), so the orchestrator calls
 * `runRegkitScenario` when it is ready to measure.
 */
import { type InPageResult, runInPageFake } from './in-page-fake';
import { runScenario, type ScenarioConfig, type ScenarioResult } from './scenario';

declare global {
  interface Window {
    runRegkitScenario(config: ScenarioConfig): Promise<ScenarioResult>;
    runInPageFake(): Promise<InPageResult>;
    /** Exposed by the orchestrator: takes the renderer's memory baseline. */
    regkitBeforeStream?(): Promise<void>;
  }
}

window.runRegkitScenario = async (config) => {
  const result = await runScenario(config, { rss: () => undefined, beforeStream: async () => window.regkitBeforeStream?.() });
  // What a person looking at the page sees: the verified digest.
  document.body.textContent = `verified ${result.layerDigest} (${result.layerBytes} bytes)`;
  return result;
};
window.runInPageFake = runInPageFake;
document.body.textContent = 'ready';
