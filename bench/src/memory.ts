import { readFileSync } from 'node:fs';

/**
 * This process's peak resident set in KiB: `VmHWM` from `/proc/self/status`.
 * Not `process.resourceUsage().maxRSS`: Linux carries `ru_maxrss` across
 * fork and exec, so a forked worker would start with its parent's peak.
 */
export function peakRssKiB(): number {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match?.[1] !== undefined) return Number(match[1]);
  } catch {
    // Not Linux: fall through.
  }
  return process.resourceUsage().maxRSS;
}

/** Current resident set in KiB (`VmRSS`), or the process's RSS as Node reports it. */
export function currentRssKiB(): number {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match?.[1] !== undefined) return Number(match[1]);
  } catch {
    // Not Linux: fall through.
  }
  return Math.round(process.memoryUsage.rss() / 1024);
}
