import type { Image, Platform } from '@regkit/core';
import { CliError, ExitCode, usageError } from './cli-error';

/** A platform as `--platform` spells it. */
export interface PlatformSpec {
  readonly os: string;
  readonly architecture: string;
  readonly variant: string | undefined;
}

/** Parses `os/arch[/variant]`. */
export function parsePlatform(text: string): PlatformSpec {
  const parts = text.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((part) => !/^[a-zA-Z0-9._-]+$/.test(part))) {
    throw usageError(`--platform must be os/arch[/variant], got ${JSON.stringify(text)}`, 'e.g. --platform linux/arm64/v8');
  }
  return { os: parts[0] as string, architecture: parts[1] as string, variant: parts[2] };
}

/** `os/arch[/variant]`. */
export function platformName(platform: { os: string; architecture: string; variant?: string | undefined }): string {
  return [platform.os, platform.architecture, platform.variant].filter((part) => part !== undefined && part !== '').join('/');
}

/**
 * The image's platform that matches: an exact variant match first; without a
 * variant asked for, the only candidate (`linux/arm64` finds `linux/arm64/v8`).
 */
export function selectPlatform(image: Image, wanted: PlatformSpec, reference: string): Platform {
  const candidates = image.platforms.filter((p) => p.os === wanted.os && p.architecture === wanted.architecture);
  const exact = candidates.find((p) => (p.variant ?? '') === (wanted.variant ?? ''));
  const chosen = exact ?? (wanted.variant === undefined ? candidates[0] : undefined);
  if (chosen === undefined) {
    const available = image.platforms.map(platformName).join(', ') || 'none';
    throw new CliError(
      `${reference} has no ${platformName(wanted)} image (platforms: ${available})`,
      ExitCode.notFound,
      'pick one of the listed platforms',
    );
  }
  return chosen;
}
