import { InvalidOptionError } from './errors/option-errors';

/**
 * The edit distance between two option names (insertions, deletions,
 * substitutions and swaps of neighbours), to suggest the name a typo meant.
 */
function editDistance(a: string, b: string): number {
  // Three rolling rows (two back for the swap case) instead of a full matrix.
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, (beforePrevious[j - 2] ?? 0) + 1);
      current.push(best);
    }
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length] ?? 0;
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
  // Callers outside TypeScript can pass anything: null, a string, an array. Say so instead of a raw TypeError.
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionError(
      'options',
      `${packageName}: ${where} options must be an object, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`,
    );
  }
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
