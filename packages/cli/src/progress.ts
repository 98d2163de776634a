import { formatBytes } from './format';
import type { CliIo } from './io';
import type { Output } from './output';

/** One transfer being shown. */
export interface ProgressTask {
  /** Bytes done so far (and the total, when it became known). */
  update(done: number, total?: number): void;
  /** The transfer finished. */
  finish(): void;
}

/** Shows transfers on stderr: bars on a terminal, plain lines otherwise, nothing with --quiet or --json. */
export interface Progress {
  /** True when bars are drawn: worth one per blob. Plain lines keep to totals, so logs stay short. */
  readonly bars: boolean;
  /** Starts showing a transfer. */
  start(label: string, total: number | undefined): ProgressTask;
  /** Stops drawing; call once at the end, also after a failure. */
  stop(): void;
}

const SILENT_TASK: ProgressTask = { update() {}, finish() {} };
const SILENT: Progress = { bars: false, start: () => SILENT_TASK, stop() {} };

/**
 * The progress display for this run. The bar library is loaded only when a
 * bar is actually drawn, so commands that never transfer much pay nothing.
 */
export async function createProgress(io: CliIo, out: Output): Promise<Progress> {
  if (!out.chatty) return SILENT;
  if (io.stderr.isTTY === true && io.env.TERM !== 'dumb') return barProgress(io);
  return lineProgress(io);
}

function rateOf(done: number, startedAt: number): string {
  const seconds = (performance.now() - startedAt) / 1000;
  return seconds <= 0 ? '-' : `${formatBytes(Math.round(done / seconds))}/s`;
}

/** Non-terminal stderr: a line at each tenth, and one at the end, no escape codes. */
function lineProgress(io: CliIo): Progress {
  return {
    bars: false,
    start(label, total) {
      const startedAt = performance.now();
      let known = total;
      let reported = -1;
      let done = 0;
      io.stderr.write(`${label}: started${known === undefined ? '' : `, ${formatBytes(known)}`}\n`);
      return {
        update(value, newTotal) {
          done = value;
          known ??= newTotal;
          if (known === undefined || known === 0) return;
          const tenth = Math.floor((value / known) * 10);
          if (tenth > reported && tenth < 10) {
            reported = tenth;
            if (tenth > 0)
              io.stderr.write(
                `${label}: ${tenth * 10}% (${formatBytes(value)} of ${formatBytes(known)}, ${rateOf(value, startedAt)})\n`,
              );
          }
        },
        finish() {
          const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
          io.stderr.write(`${label}: done, ${formatBytes(done)} in ${seconds} s (${rateOf(done, startedAt)})\n`);
        },
      };
    },
    stop() {},
  };
}

type CliProgress = typeof import('cli-progress');

/** A terminal: one bar per transfer (several at once for copies), with bytes, rate and ETA. */
async function barProgress(io: CliIo): Promise<Progress> {
  const module = (await import('cli-progress')) as CliProgress & { default?: CliProgress };
  const { MultiBar, Presets } = module.default ?? module;
  const bars = new MultiBar(
    {
      stream: io.stderr,
      format: '{label} {bar} {percentage}% | {bytes} | {rate} | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      autopadding: true,
      fps: 10,
      etaBuffer: 50,
      barsize: 30,
    },
    Presets.shades_classic,
  );
  return {
    bars: true,
    start(label, total) {
      const startedAt = performance.now();
      let known = total;
      let done = 0;
      const payload = () => ({
        label,
        bytes: known === undefined ? formatBytes(done) : `${formatBytes(done)}/${formatBytes(known)}`,
        rate: rateOf(done, startedAt),
      });
      const bar = bars.create(known ?? 0, 0, payload());
      return {
        update(value, newTotal) {
          done = value;
          if (known === undefined && newTotal !== undefined) {
            known = newTotal;
            bar.setTotal(newTotal);
          }
          bar.update(value, payload());
        },
        finish() {
          if (known === undefined) bar.setTotal(done);
          bar.update(done, payload());
        },
      };
    },
    stop() {
      bars.stop();
    },
  };
}
