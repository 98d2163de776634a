/**
 * Entry for the Chromium page. The page's own memory is measured from
 * outside (the renderer process's RSS), so the orchestrator calls
 * `runRegkitScenario` when it is ready to measure.
 */
import { type InPageResult, runInPageFake } from './in-page-fake';
import { type MeasuredPhase, runScenario, type ScenarioConfig, type ScenarioResult } from './scenario';

declare global {
  interface Window {
    runRegkitScenario(config: ScenarioConfig): Promise<ScenarioResult>;
    runInPageFake(): Promise<InPageResult>;
    /** Exposed by the orchestrator: takes the renderer's memory baseline (`begin`) or reads its peak (`end`). */
    regkitPhase?(event: 'begin' | 'end', phase: MeasuredPhase): Promise<void>;
  }
}

window.runRegkitScenario = async (config) => {
  const result = await runScenario(config, {
    rss: () => undefined,
    begin: async (phase) => window.regkitPhase?.('begin', phase),
    end: async (phase) => window.regkitPhase?.('end', phase),
  });
  // What a person looking at the page sees: the verified digest and where it was copied.
  document.body.textContent = `verified ${result.layerDigest} (${result.layerBytes} bytes), copied to ${result.copy.destination}`;
  return result;
};
window.runInPageFake = runInPageFake;
document.body.textContent = 'ready';
