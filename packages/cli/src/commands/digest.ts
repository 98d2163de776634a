import type { Command } from '../command';
import { getImage, openImage, platformOption } from '../image-reads';
import { selectPlatform } from '../platform';

/** `regkit digest <ref>`. */
export const digestCommand: Command = {
  name: 'digest',
  summary: 'print the digest a tag points at (one HEAD request)',
  args: '<ref>',
  description:
    "Resolves a tag (or checks a digest) with a HEAD request, which Docker Hub does not count against the pull limit; falls back to GET when the registry does not send the digest. With --platform, prints the digest of that platform's manifest inside an index.",
  arity: { min: 1, max: 1 },
  options: {
    platform: { type: 'string', value: 'OS/ARCH[/VARIANT]', help: "the digest of one platform's image manifest" },
  },
  examples: ['regkit digest golang:1.12.0', 'regkit digest 127.0.0.1:5000/library/golang:1.12.0 --json'],
  json: '{ reference, digest, mediaType, size }',
  async run(context) {
    const { ref, repository } = await openImage(context);
    const wanted = platformOption(context);
    let result: { digest: string; mediaType: string; size: number | null };
    if (wanted === undefined) {
      const resolved = await repository.images().resolve(ref.reference);
      result = { digest: resolved.digest, mediaType: resolved.mediaType, size: resolved.size ?? null };
    } else {
      const chosen = selectPlatform(await getImage(repository, ref), wanted, ref.canonical);
      result = { digest: chosen.digest, mediaType: chosen.mediaType, size: chosen.size };
    }
    if (context.out.json) await context.out.document({ reference: ref.canonical, ...result });
    else await context.out.line(result.digest);
  },
};
