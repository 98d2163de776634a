/** Shared shapes of the write benchmark (T6 copy, T7 upload): orchestrator ↔ worker. */

export type WriteTaskId = 'T6' | 'T7';
export type WriteClientId = 'raw-undici' | 'regkit-fetch' | 'regkit-undici' | 'regkit-axios' | 'regkit-cli' | 'skopeo';

export const WRITE_CLIENTS: readonly WriteClientId[] = [
  'raw-undici',
  'regkit-fetch',
  'regkit-undici',
  'regkit-axios',
  'regkit-cli',
  'skopeo',
];

/** One side of a copy: a token-mode registry, direct and through its counting proxy. */
export interface Endpoint {
  readonly origin: string;
  readonly countOrigin: string;
}

/** What the source registry holds and where things go. */
export interface WriteWorkload {
  readonly source: Endpoint;
  readonly destination: Endpoint;
  readonly credentials: { readonly username: string; readonly password: string };
  /** The multi-arch image T6 copies. */
  readonly image: {
    readonly repository: string;
    readonly tag: string;
    readonly digest: string;
    /** Distinct blobs (configs and layers). */
    readonly blobs: number;
    /** Child manifests. */
    readonly children: number;
    readonly bigLayerBytes: number;
  };
  /** T7: bytes of the blob uploaded (the same deterministic stream every time) and its digest. */
  readonly upload: { readonly bytes: number; readonly digest: string };
}

export interface WriteJob {
  readonly task: WriteTaskId;
  readonly client: WriteClientId;
  readonly workload: WriteWorkload;
  readonly iterations: number;
  /** Unique per job, so every iteration writes into a fresh repository. */
  readonly runId: string;
}

export interface WriteOutcome {
  readonly status: 'ok' | 'failed' | 'unsupported';
  readonly detail?: string;
  readonly samplesMs: number[];
  readonly peakRssMiB?: number;
  readonly cpuMsPerIteration?: number;
  readonly notes: string[];
}

export type WriteWorkerMessage = { type: 'counted' } | { type: 'done'; outcome: WriteOutcome };
export type WriteOrchestratorMessage = { type: 'job'; job: WriteJob } | { type: 'continue' };

/**
 * Fewest requests the protocol allows, token mode on both sides (one
 * challenge and one token GET per registry, asking for pull,push at once).
 * T6, per distinct blob: HEAD at the destination, GET at the source, POST and
 * one streamed PUT at the destination; per manifest: GET and PUT.
 * T7 (a stream whose digest is known only at its end): POST, one streamed
 * PATCH, the closing PUT.
 */
export function minimumWriteRequests(task: WriteTaskId, workload: WriteWorkload): number {
  if (task === 'T7') return 3 + 2;
  const { blobs, children } = workload.image;
  const manifests = 1 + children;
  return blobs * 4 + manifests * 2 + 2 * 2;
}
