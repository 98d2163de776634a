import { InvalidOptionError } from './errors';
import type { DescriptorPlatform } from './manifest';

/** A platform to keep when copying: `os/arch[/variant]`, or its parts. */
export type PlatformSelector =
  | string
  | { readonly os: string; readonly architecture: string; readonly variant?: string | undefined };

/** A selector, parsed. */
export interface ParsedPlatformSelector {
  readonly os: string;
  readonly architecture: string;
  readonly variant: string | undefined;
}

const PART = /^[A-Za-z0-9._-]+$/;

/**
 * Parses `linux/amd64`, `linux/arm/v7` or `{ os, architecture, variant }`.
 *
 * @throws InvalidOptionError for anything else
 */
export function parsePlatformSelector(selector: PlatformSelector): ParsedPlatformSelector {
  let parts: (string | undefined)[];
  if (typeof selector === 'string') {
    parts = selector.split('/');
    if (parts.length < 2 || parts.length > 3) parts = [];
  } else if (typeof selector === 'object' && selector !== null) {
    parts = [selector.os, selector.architecture, ...(selector.variant === undefined ? [] : [selector.variant])];
  } else {
    parts = [];
  }
  const [os, architecture, variant] = parts;
  if (
    typeof os !== 'string' ||
    typeof architecture !== 'string' ||
    !PART.test(os) ||
    !PART.test(architecture) ||
    (variant !== undefined && (typeof variant !== 'string' || !PART.test(variant)))
  ) {
    throw new InvalidOptionError(
      'platforms',
      `@regkit/core: a platform is 'os/arch[/variant]' or { os, architecture, variant? }, got ${JSON.stringify(selector)}`,
    );
  }
  return { os, architecture, variant };
}

/** True when an index entry's platform is the one selected; a selector without variant matches every variant. */
export function matchesPlatform(selector: ParsedPlatformSelector, platform: DescriptorPlatform): boolean {
  return (
    platform.os === selector.os &&
    platform.architecture === selector.architecture &&
    (selector.variant === undefined || platform.variant === selector.variant)
  );
}
