import type { Command } from '../command';
import { imageManifest, openImage, platformOption } from '../image-reads';

/** `regkit manifest <ref>`. */
export const manifestCommand: Command = {
  name: 'manifest',
  summary: 'print the manifest or index, exactly the bytes the registry sent',
  args: '<ref>',
  description:
    'Prints the manifest bytes as received (verified against their digest), so `regkit manifest ref | sha256sum` gives the digest. With --platform, the image manifest of that platform inside an index.',
  arity: { min: 1, max: 1 },
  options: {
    platform: { type: 'string', value: 'OS/ARCH[/VARIANT]', help: 'the image manifest of one platform of an index' },
  },
  examples: [
    'regkit manifest golang:1.12.0',
    'regkit manifest 127.0.0.1:5000/library/golang:1.12.0 --platform linux/amd64 | jq .layers',
  ],
  json: '{ reference, digest, mediaType, size, manifest } (manifest is the parsed JSON)',
  async run(context) {
    const { ref, repository } = await openImage(context);
    const wanted = platformOption(context);
    const manifest =
      wanted === undefined ? await repository.manifests().get(ref.reference) : await imageManifest(repository, ref, wanted);
    if (context.out.json) {
      await context.out.document({
        reference: ref.canonical,
        digest: manifest.digest,
        mediaType: manifest.mediaType,
        size: manifest.size,
        manifest: JSON.parse(new TextDecoder().decode(manifest.bytes)),
      });
    } else await context.out.bytes(manifest.bytes);
  },
};
