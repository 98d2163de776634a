/**
 * The longest delay `setTimeout` honours: 2³¹−1 ms (about 24.8 days). Node
 * and browsers store the delay in a signed 32-bit integer and fire a longer
 * one after 1 ms, so a timeout of a month would fail every request at once.
 * Timer options above it are refused rather than silently clamped.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/** True when `value` is an integer number of milliseconds from `min` to {@link MAX_TIMER_MS}. */
export function isTimerMs(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= MAX_TIMER_MS;
}
