import { copyImage, type Registry } from '@regkit/core';
import { usageError } from '../cli-error';
import type { Command } from '../command';
import { copyProgressListener } from '../copy-progress';
import { formatBytes } from '../format';
import { parsePlatform, platformName } from '../platform';
import { createProgress } from '../progress';
import { parseImageRef } from '../references';

/** `regkit copy <src> <dst>`. */
export const copyCommand: Command = {
  name: 'copy',
  summary: 'copy an image (all platforms, or some) to another repository or registry',
  args: '<src-ref> <dst-ref>',
  description:
    'Copies a manifest or index with every blob it needs, streamed (constant memory), skipping blobs the destination has and mounting them within one registry. --platform (repeatable) keeps only those platforms and writes a smaller index, whose digest then differs. The destination tag defaults to the source tag. The same credentials are offered to both registries.',
  arity: { min: 2, max: 2 },
  options: {
    platform: { type: 'string', multiple: true, value: 'OS/ARCH[/VARIANT]', help: 'copy only this platform (repeat for more)' },
    concurrency: { type: 'string', value: 'N', help: 'blobs transferred at once (default 4)' },
  },
  examples: [
    'regkit copy golang:1.12.0 127.0.0.1:5000/mirror/golang:1.12.0',
    'regkit copy 127.0.0.1:5000/app:1 127.0.0.1:5000/app-arm:1 --platform linux/arm64 --json',
  ],
  json: '{ source, destination, digest, mediaType, platformsFiltered, blobs: { uploaded, mounted, skipped }, bytesUploaded }',
  async run(context) {
    const source = parseImageRef(context.positionals[0] as string);
    const destination = parseImageRef(context.positionals[1] as string);
    context.subject = `${source.canonical} → ${destination.canonical}`;
    const platforms = ((context.values.platform as string[] | undefined) ?? []).map((text) => platformName(parsePlatform(text)));
    const concurrencyText = context.string('concurrency');
    const concurrency = concurrencyText === undefined ? undefined : Number(concurrencyText);
    if (concurrency !== undefined && (!Number.isSafeInteger(concurrency) || concurrency < 1 || concurrency > 64)) {
      throw usageError(`--concurrency must be 1-64, got ${JSON.stringify(concurrencyText)}`);
    }
    const sourceRegistry = await context.registry(source.domain);
    // One Registry for one domain, so blobs are mounted rather than sent again.
    const destinationRegistry: Registry =
      destination.domain === source.domain ? sourceRegistry : await context.registry(destination.domain);
    const destinationTag = destination.reference.includes(':') ? undefined : destination.reference;
    if (destination.reference.includes(':') && destination.input.includes('@')) {
      throw usageError('the destination must be a tag (or a repository), not a digest', 'the digest is what the copy produces');
    }
    const progress = await createProgress(context.io, context.out);
    context.onClose(async () => progress.stop());
    const bars = copyProgressListener(progress);
    const result = await copyImage(
      sourceRegistry.repository(source.repository),
      source.reference,
      destinationRegistry.repository(destination.repository),
      {
        ...(destinationTag !== undefined && { tag: destinationTag }),
        ...(platforms.length > 0 && { platforms }),
        ...(concurrency !== undefined && { concurrency }),
        onProgress: bars.onProgress,
      },
    );
    bars.finish();
    progress.stop();
    const target = `${destination.domain}/${destination.repository}${destinationTag === undefined ? '' : `:${destinationTag}`}`;
    if (context.out.json) {
      await context.out.document({
        source: source.canonical,
        destination: target,
        digest: result.digest,
        mediaType: result.mediaType,
        platformsFiltered: result.platformsFiltered,
        blobs: result.blobs,
        bytesUploaded: result.bytesUploaded,
      });
    } else {
      await context.out.line(`${target} ${result.digest}`);
      const { uploaded, mounted, skipped } = result.blobs;
      context.out.note(
        `blobs: ${uploaded} uploaded (${formatBytes(result.bytesUploaded)}), ${mounted} mounted, ${skipped} already there`,
      );
    }
  },
};
