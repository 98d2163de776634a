/**
 * What the orchestrator and its workers say to each other: plain data only,
 * since it crosses a process boundary as JSON.
 */

/** The five measured tasks. */
export const TASK_IDS = ['T1', 'T2', 'T3', 'T4', 'T5'] as const;
export type TaskId = (typeof TASK_IDS)[number];

/** Every client the benchmark knows, in table order. */
export const CLIENT_IDS = [
  'raw-undici',
  'regkit-fetch',
  'regkit-undici',
  'regkit-axios',
  'snyk',
  'docker-registry-client',
  'skopeo',
] as const;
export type ClientId = (typeof CLIENT_IDS)[number];

/**
 * Most timed iterations worth running for a slow client, per task, over all
 * rounds together (skopeo starts a process per call: T3 alone is a minute).
 * The orchestrator caps a job's iterations before splitting them into rounds,
 * so the worker runs exactly what it is given.
 */
export const MAX_ITERATIONS: Readonly<Partial<Record<ClientId, Partial<Record<TaskId, number>>>>> = {
  skopeo: { T1: 10, T2: 5, T3: 1, T4: 3 },
};

/** Registry auth modes the benchmark runs against. */
export const MODES = ['open', 'token'] as const;
export type BenchMode = (typeof MODES)[number];

/** One-line descriptions for the table and the README. */
export const TASK_TITLES: Readonly<Record<TaskId, string>> = {
  T1: 'cold getByTag, multi-arch',
  T2: 'all tags of a big repository',
  T3: 'tag → digest (HEAD), concurrency 8',
  T4: 'blob download, sha256 verified',
  T5: 'manifest HEADs, concurrency 8',
};

/** What the seed put in a registry: enough for every task, as plain strings and numbers. */
export interface Workload {
  /** A Docker manifest list with three platforms. */
  readonly multiArch: {
    readonly repository: string;
    readonly tag: string;
    readonly digest: string;
    readonly platforms: number;
  };
  /** One repository with `count` tags, `tagName(i)`, all pointing at `manifestDigest`. */
  readonly manyTags: {
    readonly repository: string;
    readonly count: number;
    readonly manifestDigest: string;
  };
  /** A large deterministic blob, also the single layer of `repository:tag` (for clients that only copy images). */
  readonly blob: {
    readonly repository: string;
    readonly tag: string;
    readonly digest: string;
    readonly size: number;
  };
}

/** The name of the `i`-th tag of the many-tags repository. */
export function tagName(i: number): string {
  return `t-${String(i).padStart(5, '0')}`;
}

/** Sizes of the bulk tasks. */
export interface TaskSizes {
  /** T3: how many tags to resolve. */
  readonly resolveCount: number;
  /** T5: how many manifest HEADs. */
  readonly headCount: number;
  /** T3/T5: requests in flight. */
  readonly concurrency: number;
}

/** One measurement: a client doing a task against one registry. */
export interface Job {
  readonly task: TaskId;
  readonly client: ClientId;
  readonly mode: BenchMode;
  /** The registry itself, `http://127.0.0.1:<port>`: timed iterations go here. */
  readonly origin: string;
  /** The counting proxy in front of it: the one untimed counting run goes here. */
  readonly countOrigin: string;
  readonly workload: Workload;
  readonly sizes: TaskSizes;
  /** Timed iterations of this worker: one round's share of the client's iterations. */
  readonly iterations: number;
  /** Untimed iterations against the registry between the counting run and the timed ones. */
  readonly warmup: number;
}

/** Requests one run of a task made, as the counting proxy and the token server saw them. */
export interface RequestCount {
  /** HTTP requests that reached the registry (through the counting proxy). */
  readonly registry: number;
  /** Token endpoint calls. */
  readonly token: number;
  /** TCP connections opened to the registry (keep-alive reuses them; a client that reconnects per request opens one each). */
  readonly connections: number;
  /** Connections that sent something other than HTTP/1 (skopeo's TLS probe of a plain-HTTP port). */
  readonly nonHttp: number;
  /** `registry + token`. */
  readonly total: number;
}

/** Established connections from the worker to the registry port during a T5 run. */
export interface SocketReport {
  /** Before the first session opened. */
  readonly before: number;
  /** Most seen at once while requests were in flight. */
  readonly peak: number;
  /** After the last session closed. */
  readonly after: number;
}

/** What a worker reports back. */
export interface JobOutcome {
  readonly status: 'ok' | 'unsupported' | 'failed';
  /** Why a task is unsupported, or the error that failed it. */
  readonly detail?: string;
  /** Wall-clock milliseconds of each timed iteration. */
  readonly samplesMs: readonly number[];
  /** Notes about how the client did the task (e.g. "GET instead of HEAD"). */
  readonly notes: readonly string[];
  /** Peak resident set of the worker (and of any program it ran), MiB. */
  readonly peakRssMiB?: number;
  /** Peak resident set of the worker after loading the client, before any request, MiB. */
  readonly baselineRssMiB?: number;
  /** CPU time (user + system) the client spent per timed iteration, ms, session set-up included (unrounded). */
  readonly cpuMsPerIteration?: number;
  readonly sockets?: SocketReport;
}

/**
 * Worker → orchestrator messages: `counted` after the untimed run, `timed`
 * after the timed iterations (the orchestrator stops watching sockets), then
 * `done` with the outcome.
 */
export type WorkerMessage =
  | { readonly type: 'counted' }
  | { readonly type: 'timed' }
  | { readonly type: 'done'; readonly outcome: JobOutcome };

/** Orchestrator → worker messages: the job, then `continue` (start timing) and `sampled` (sockets read). */
export type OrchestratorMessage =
  | { readonly type: 'job'; readonly job: Job }
  | { readonly type: 'continue' }
  | { readonly type: 'sampled' };
