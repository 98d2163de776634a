import { InvalidOptionError } from './errors';

/** A platform to select: `os/architecture[/variant]` or its parts. */
export type PlatformSpec = string | { readonly os: string; readonly architecture: string; readonly variant?: string | undefined };

/** A platform with its architecture and variant in canonical form. */
export interface NormalizedPlatform {
  /** Lower-case OS, e.g. `linux`. */
  readonly os: string;
  /** Canonical architecture: `amd64`, `arm64`, `arm`, `386`, … */
  readonly architecture: string;
  /** Canonical variant (`v8`, `v7`, …), or `''` for none. */
  readonly variant: string;
}

/**
 * Canonical architecture and variant, as containerd's `platforms.Normalize`
 * spells them: `aarch64` is `arm64`, `x86_64` is `amd64`, `armhf` is
 * `arm/v7`, a bare variant number gets its `v`, and `arm64/v8` and
 * `amd64/v1` lose the variant that is the default for their architecture
 * (so they compare equal to the entries that omit it). `arm` without a
 * variant stays without one here; matching treats it as `v7`.
 */
export function normalizePlatform(os: string, architecture: string, variant: string | undefined): NormalizedPlatform {
  let arch = architecture.toLowerCase();
  let v = (variant ?? '').toLowerCase();
  switch (arch) {
    case 'i386':
      arch = '386';
      v = '';
      break;
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      arch = 'amd64';
      if (v === 'v1') v = '';
      break;
    case 'aarch64':
    case 'arm64':
      arch = 'arm64';
      if (v === '8' || v === 'v8' || v === 'v8.0') v = '';
      break;
    case 'armhf':
      arch = 'arm';
      v = 'v7';
      break;
    case 'armel':
      arch = 'arm';
      v = 'v6';
      break;
    case 'arm':
      if (/^[5-8]$/.test(v)) v = `v${v}`;
      break;
  }
  return { os: os.toLowerCase(), architecture: arch, variant: v };
}

const SEGMENT = /^[A-Za-z0-9_.-]+$/;

/**
 * Reads a platform spec (`linux/arm64/v8`, `linux/amd64`, or an object)
 * into its normalized parts.
 *
 * @throws InvalidOptionError when the spec is not `os/architecture[/variant]`
 */
export function parsePlatformSpec(spec: PlatformSpec): NormalizedPlatform {
  const parts =
    typeof spec === 'string'
      ? spec.split('/')
      : typeof spec === 'object' && spec !== null
        ? [spec.os, spec.architecture, ...(spec.variant ? [spec.variant] : [])]
        : [];
  const valid = parts.length >= 2 && parts.length <= 3 && parts.every((part) => typeof part === 'string' && SEGMENT.test(part));
  if (!valid) {
    throw new InvalidOptionError(
      'platform',
      `@regkit/core: a platform is "os/architecture[/variant]", e.g. "linux/arm64/v8", got ${JSON.stringify(spec)}`,
    );
  }
  const [os = '', architecture = '', variant] = parts;
  return normalizePlatform(os, architecture, variant);
}

/** The variant an architecture runs when none is named (containerd's defaults). */
function defaultVariant(architecture: string): string {
  return architecture === 'arm' ? 'v7' : '';
}

/**
 * True when an entry's platform is the one asked for. Variants are compared
 * after normalization, and a missing variant on either side means the
 * architecture's default: `linux/arm64` matches `linux/arm64/v8`, `linux/arm`
 * matches `linux/arm/v7` (not `v6`).
 */
export function platformMatches(
  wanted: NormalizedPlatform,
  entry: { readonly os: string; readonly architecture: string; readonly variant?: string | undefined },
): boolean {
  const have = normalizePlatform(entry.os, entry.architecture, entry.variant);
  if (have.os !== wanted.os || have.architecture !== wanted.architecture) return false;
  return (have.variant || defaultVariant(have.architecture)) === (wanted.variant || defaultVariant(wanted.architecture));
}

/** `os/architecture[/variant]` of an entry, as people write it. */
export function formatPlatform(entry: {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string | undefined;
}): string {
  return [entry.os, entry.architecture, entry.variant].filter(Boolean).join('/');
}
