import { isValidTag } from '@regkit/core';
import { usageError } from '../cli-error';
import type { Command } from '../command';
import { openImage } from '../image-reads';

/** `regkit tag <ref> <new-tag>`. */
export const tagCommand: Command = {
  name: 'tag',
  summary: 'add a tag to an image in the same repository',
  args: '<ref> <new-tag>',
  description:
    'Points a new tag at the manifest a tag or digest names, in the same repository, without moving any blob: the manifest bytes are written again under the new tag, so the digest stays the same.',
  arity: { min: 2, max: 2 },
  examples: ['regkit tag 127.0.0.1:5000/team/app:1.4.2 stable', 'regkit tag registry.example.com/app@sha256:… v2 --json'],
  json: '{ reference, tag, digest } (reference: the new tag, canonical)',
  async run(context) {
    const newTag = context.positionals[1] as string;
    if (!isValidTag(newTag))
      throw usageError(
        `${JSON.stringify(newTag)} is not a valid tag`,
        'a tag is 1-128 of [A-Za-z0-9_.-], not starting with . or -',
      );
    const { ref, repository } = await openImage(context);
    const { digest } = await repository.images().tag(ref.reference, newTag);
    const target = `${ref.domain}/${ref.repository}:${newTag}`;
    if (context.out.json) await context.out.document({ reference: target, tag: newTag, digest });
    else await context.out.line(`${target} ${digest}`);
  },
};
