import { InvalidOptionError } from './errors/option-errors';

/**
 * The edit distance between two option names (insertions, deletions,
 * substitutions and swaps of neighbours), to suggest the name a typo meant.
 */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The known name closest to `name`, when it is close enough to be a typo. */
export function closestOption(name: string, known: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // A third of the name may be wrong: `authenticater` → `authenticator`, not `timeout` → `userAgent`.
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(name.length / 3)) ? best : undefined;
}

/**
 * Refuses an options object with a name the factory does not know, so a typo
 * (`authenticater`, `timeout`) fails at construction instead of silently
 * running with defaults. The message names the option and, when one is close,
 * the option that was probably meant; `hints` adds a sentence for names that
 * are common mistakes (e.g. `proxy` where an HTTP proxy option is meant).
 *
 * @param packageName - prefixes the message, e.g. `@regkit/core`
 * @param where - what takes the options, e.g. `new Registry()`
 * @throws InvalidOptionError naming the first unknown option
 */
export function assertKnownOptions(
  packageName: string,
  where: string,
  options: object,
  known: ReadonlySet<string> | readonly string[],
  hints: Readonly<Record<string, string>> = {},
): void {
  const names = known instanceof Set ? known : new Set(known);
  for (const name of Object.keys(options)) {
    if (names.has(name)) continue;
    const hint = Object.hasOwn(hints, name) ? hints[name] : undefined;
    const closest = hint === undefined ? closestOption(name, names) : undefined;
    const suffix = hint !== undefined ? ` (${hint})` : closest !== undefined ? ` (did you mean \`${closest}\`?)` : '';
    throw new InvalidOptionError(
      name,
      `${packageName}: ${where} has no option \`${name}\`${suffix}; known options: ${[...names].sort().join(', ')}`,
    );
  }
}
