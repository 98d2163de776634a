import type { Command } from '../command';
import { imageManifest, openImage, platformOption, readConfig } from '../image-reads';

/** `regkit config <ref>`. */
export const configCommand: Command = {
  name: 'config',
  summary: 'print the image config blob, exactly as stored',
  args: '<ref>',
  description: "Prints an image's config JSON (verified against its digest). An index needs --platform to say which image.",
  arity: { min: 1, max: 1 },
  options: {
    platform: { type: 'string', value: 'OS/ARCH[/VARIANT]', help: 'the image of an index to read, e.g. linux/amd64' },
  },
  examples: [
    'regkit config 127.0.0.1:5000/library/hello:latest',
    'regkit config golang:1.12.0 --platform linux/amd64 | jq .config.Env',
  ],
  json: '{ reference, digest, config } (digest of the config blob, config the parsed JSON)',
  async run(context) {
    const { ref, repository } = await openImage(context);
    const manifest = await imageManifest(repository, ref, platformOption(context));
    const { bytes, json } = await readConfig(repository, manifest);
    if (context.out.json) await context.out.document({ reference: ref.canonical, digest: manifest.config.digest, config: json });
    else await context.out.bytes(bytes);
  },
};
