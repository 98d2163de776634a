import { describe, inject, it } from 'vitest';
import { type AvailableHarness, CONTEXT_KEY, type IntegrationContext } from './harness-context';

/** The context from the global setup (call inside a test file). */
export function integrationContext(): IntegrationContext {
  return inject(CONTEXT_KEY);
}

/**
 * `describe` that runs only when the harness registries are up, and
 * otherwise shows as skipped with the reason in its name.
 *
 * @example
 * ```ts
 * describeWithRegistries('tags', (harness) => {
 *   it('lists', async () => { await fetch(`${harness.registries.open.origin}/v2/many/tags/tags/list`); });
 * });
 * ```
 */
export function describeWithRegistries(name: string, body: (harness: AvailableHarness) => void): void {
  const context = integrationContext();
  if (context.available) describe(name, () => body(context));
  else
    describe.skip(`${name} (skipped: ${context.reason})`, () => {
      it('needs the registry harness', () => {});
    });
}
