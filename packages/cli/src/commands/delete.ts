import type { Command } from '../command';
import { openImage } from '../image-reads';

/** `regkit delete <ref>`. */
export const deleteCommand: Command = {
  name: 'delete',
  summary: 'delete a manifest by digest, or the manifest a tag points at',
  args: '<ref>',
  description:
    'Deletes a manifest. Given a tag, it resolves the tag to its digest first and deletes that manifest: on distribution every tag pointing at it goes too. Blobs stay until the registry collects garbage. Many registries have deletes disabled (exit 1).',
  arity: { min: 1, max: 1 },
  examples: ['regkit delete 127.0.0.1:5000/team/app@sha256:…', 'regkit delete 127.0.0.1:5000/team/app:old --json'],
  json: '{ reference, digest, deleted: true }',
  async run(context) {
    const { ref, repository } = await openImage(context);
    let digest = ref.reference;
    if (!digest.includes(':')) {
      digest = (await repository.images().resolve(digest)).digest;
      context.out.note(`${ref.canonical} is ${digest}; deleting that manifest removes every tag that points at it`);
    }
    await repository.images().deleteByDigest(digest);
    if (context.out.json) await context.out.document({ reference: ref.canonical, digest, deleted: true });
    else await context.out.line(`deleted ${ref.domain}/${ref.repository}@${digest}`);
  },
};
