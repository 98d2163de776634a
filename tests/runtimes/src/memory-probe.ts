/** How the scenario's memory is observed, from inside the runtime or from outside it. */

/** The stretches of work whose memory is measured. */
export type MeasuredPhase = 'stream' | 'copy';

/** How the runtime's memory is read around the stream and the copy. */
export interface MemoryProbe {
  /** This process's resident memory in bytes; `undefined` where a script cannot read it (a page). */
  rss(): number | undefined;
  /** Called right before a phase starts, so an outside observer (the page's renderer) can take its baseline. */
  begin?(phase: MeasuredPhase): Promise<void>;
  /** Called right after a phase ends, so an outside observer can read its peak before the next phase. */
  end?(phase: MeasuredPhase): Promise<void>;
  /**
   * Forces a garbage collection, where the runtime lets a script (Chromium
   * with `--js-flags=--expose-gc`): before each phase, so a phase does not
   * start on the garbage of the one before, and once per 8 MiB of each phase.
   * Chromium's renderer otherwise grows with the blob until its collector
   * runs (152 MiB for the stream of a 192 MiB layer, 123 MiB for the copy
   * of the 64 MiB one), which would hide what regkit itself keeps.
   */
  collectGarbage?(): void;
}

/** Forced collections (where the runtime allows them) happen once per this many bytes of a phase: the browser's upload chunk. */
export const COLLECT_EVERY_BYTES = 8 * 1024 * 1024;
