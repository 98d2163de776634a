/**
 * The same scenarios against the fake registry (@regkit/testing on
 * loopback) and the real distribution 2.8 registry, through @regkit/core:
 * wherever distribution implements a behaviour, the fake must observe the
 * same thing, except for the named exceptions in ./exceptions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTool } from '../harness';
import { exceptionsFor, FIDELITY_EXCEPTIONS } from './exceptions';
import { type Observation, SCENARIOS } from './scenarios';
import { type ScenarioTarget, startFakeTarget, startRealTarget } from './target';

const available = findTool('docker-registry') !== undefined || process.env.CI !== undefined;

function pick(observation: Observation, fields: readonly string[], keep: boolean): Record<string, unknown> {
  return Object.fromEntries(Object.entries(observation).filter(([key]) => fields.includes(key) === keep));
}

/** Each fake is compared with the real registry in the same auth mode. */
const PAIRS = [
  { fake: 'fake (distribution, open)', real: 'distribution 2.8 (open)' },
  { fake: 'fake (distribution-2.8, open)', real: 'distribution 2.8 (open)' },
  { fake: 'fake (distribution, token)', real: 'distribution 2.8 (token)' },
  { fake: 'fake (oci-1.1, open)', real: 'distribution 2.8 (open)' },
] as const;

describe.skipIf(!available)('scenarios: the fake registry against distribution 2.8', () => {
  const targets = new Map<string, ScenarioTarget>();
  /** scenario → target name → observation */
  const observed = new Map<string, Map<string, Observation>>();

  beforeAll(async () => {
    const started = await Promise.all([
      startFakeTarget('distribution', 'none'),
      startFakeTarget('distribution-2.8', 'none'),
      startFakeTarget('distribution', 'token'),
      startFakeTarget('oci-1.1', 'none'),
      startRealTarget('none'),
      startRealTarget('token'),
    ]);
    for (const target of started) targets.set(target.name, target);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([...targets.values()].map((target) => target.close()));
  });

  it('has every exception pointing at a scenario and a field it observes', () => {
    const names = new Set(SCENARIOS.map((scenario) => scenario.name));
    for (const exception of FIDELITY_EXCEPTIONS) expect(names, exception.id).toContain(exception.scenario);
  });

  for (const scenario of SCENARIOS) {
    describe(scenario.name, () => {
      it('runs on every target', async () => {
        const results = new Map<string, Observation>();
        // One target at a time: scenarios may change state, and the real registries share a machine.
        for (const target of targets.values()) {
          if (scenario.appliesTo && !scenario.appliesTo(target)) continue;
          results.set(target.name, await scenario.run(target));
        }
        observed.set(scenario.name, results);
        if (process.env.SCENARIO_DUMP) console.log(scenario.name, JSON.stringify([...results], null, 1));
        expect(results.size).toBeGreaterThan(0);
      });

      for (const pair of PAIRS) {
        it(`${pair.fake} observes what ${pair.real} does`, (context) => {
          const results = observed.get(scenario.name);
          const fake = results?.get(pair.fake);
          const real = results?.get(pair.real);
          if (fake === undefined || real === undefined) return context.skip();
          const profile = targets.get(pair.fake)?.profile;
          const exceptions = exceptionsFor(scenario.name, profile);
          const excluded = exceptions.flatMap((exception) => exception.fields);
          for (const field of excluded) expect(Object.keys(real), `exception field ${field}`).toContain(field);
          expect(pick(fake, excluded, false)).toEqual(pick(real, excluded, false));
          for (const exception of exceptions) {
            // A difference that went away must not stay listed as one.
            expect(pick(fake, exception.fields, true), `exception ${exception.id} no longer differs: remove it`).not.toEqual(
              pick(real, exception.fields, true),
            );
          }
        });
      }
    });
  }
});
