import { defineConfig } from 'tsup';

// Two programs: the orchestrator and the worker it forks once per measurement.
// The integration harness is imported from source by relative path and so is
// bundled; every package (regkit's own builds, undici, the peers) stays
// external so the benchmark runs exactly the code users install.
export default defineConfig({
  entry: {
    main: 'src/main.ts',
    worker: 'src/worker.ts',
    write: 'src/write/write-main.ts',
    'write-worker': 'src/write/write-worker.ts',
    // T0 (cold start, whole processes) is its own program; see src/cold-start/main.ts.
    'cold-start': 'src/cold-start/main.ts',
    'cold-raw-http': 'src/cold-start/raw-http.ts',
    'blob-limits': 'src/cold-start/blob-limits.ts',
  },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  clean: true,
  sourcemap: true,
  // Each client adapter becomes its own chunk, loaded only by the worker that measures it:
  // a worker's RSS then holds one client's libraries, not all of them.
  splitting: true,
  skipNodeModulesBundle: true,
});
