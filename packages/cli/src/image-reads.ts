import type { Image, ImageManifest, Repository } from '@regkit/core';
import { CliError, ExitCode } from './cli-error';
import type { CommandContext } from './context';
import { type PlatformSpec, parsePlatform, platformName, selectPlatform } from './platform';
import { type ImageRef, parseImageRef } from './references';

/** The repository an image reference names, on a registry built from the flags. */
export async function openImage(context: CommandContext): Promise<{ ref: ImageRef; repository: Repository }> {
  const ref = parseImageRef(context.positionals[0] as string);
  context.subject = ref.canonical;
  const registry = await context.registry(ref.domain);
  return { ref, repository: registry.repository(ref.repository) };
}

/** The image by tag or digest. */
export function getImage(repository: Repository, ref: ImageRef): Promise<Image> {
  return ref.reference.includes(':')
    ? repository.images().getByDigest(ref.reference)
    : repository.images().getByTag(ref.reference);
}

/** `--platform`, parsed, if given. */
export function platformOption(context: CommandContext): PlatformSpec | undefined {
  const text = context.string('platform');
  return text === undefined ? undefined : parsePlatform(text);
}

/**
 * The single-image manifest a reference means: itself when it is one, the
 * `--platform` child of an index, and an error naming the platforms when an
 * index is met without `--platform`.
 */
export async function imageManifest(
  repository: Repository,
  ref: ImageRef,
  platform: PlatformSpec | undefined,
): Promise<ImageManifest> {
  const manifest = await repository.manifests().get(ref.reference);
  if (manifest.kind === 'image') {
    if (platform !== undefined) {
      const image = await getImage(repository, { ...ref, reference: manifest.digest });
      selectPlatform(image, platform, ref.canonical);
    }
    return manifest;
  }
  const image = await getImage(repository, { ...ref, reference: manifest.digest });
  if (platform === undefined) {
    throw new CliError(
      `${ref.canonical} is an index of ${image.platforms.length} platforms (${image.platforms.map(platformName).join(', ')})`,
      ExitCode.usage,
      'choose one with --platform os/arch[/variant]',
    );
  }
  const chosen = selectPlatform(image, platform, ref.canonical);
  const child = await repository.manifests().get(chosen.digest);
  if (child.kind !== 'image')
    throw new CliError(`${ref.canonical}: the ${platformName(platform)} entry is not an image manifest`, ExitCode.failure);
  return child;
}

/** Reads and parses an image config blob. */
export async function readConfig(
  repository: Repository,
  manifest: ImageManifest,
): Promise<{ bytes: Uint8Array; json: Record<string, unknown> }> {
  const bytes = await repository.blobs().getBytes(manifest.config.digest);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new CliError(`config ${manifest.config.digest} is not JSON`, ExitCode.failure);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new CliError(`config ${manifest.config.digest} is not a JSON object`, ExitCode.failure);
  }
  return { bytes, json: json as Record<string, unknown> };
}
