/**
 * What the global setup hands to tests through vitest `provide`/`inject`.
 * No runtime import of vitest here: the global setup imports this file, and
 * vitest's test APIs do not exist in that context.
 */
import type { RegistryConnection } from './push-client';
import type { RegistryMode } from './registry';
import type { SeedSummary } from './seed-plan';
import type { HarnessUser } from './users';

/** A seeded harness registry as tests see it: plain data from the global setup. */
export interface HarnessRegistryInfo extends RegistryConnection {
  readonly host: string;
  readonly port: number;
  readonly mode: RegistryMode;
  readonly users: readonly HarnessUser[];
  /** Token mode: the token server's realm, service and issuer. */
  readonly token?: { readonly realm: string; readonly service: string; readonly issuer: string } | undefined;
}

/** Seeding and start-up times, in milliseconds. */
export interface HarnessTimings {
  readonly startMs: number;
  readonly seedMs: Readonly<Record<RegistryMode, number>>;
  /** Wall clock of seeding all three registries (they seed in parallel). */
  readonly seedTotalMs: number;
  readonly seedRequests: number;
}

/** The integration context when the registry binary is installed. */
export interface AvailableHarness {
  readonly available: true;
  /** One seeded registry per auth mode. */
  readonly registries: Readonly<Record<RegistryMode, HarnessRegistryInfo>>;
  /** What every registry holds (identical content in all three). */
  readonly seed: SeedSummary;
  readonly timings: HarnessTimings;
  /** Why skopeo tests cannot run, or `undefined` when skopeo is installed. */
  readonly skopeoMissing: string | undefined;
}

/** What the global setup provides to tests. */
export type IntegrationContext = AvailableHarness | { readonly available: false; readonly reason: string };

declare module 'vitest' {
  export interface ProvidedContext {
    regkitIntegration: IntegrationContext;
  }
}

/** The key the global setup provides the context under. */
export const CONTEXT_KEY = 'regkitIntegration';
