import type { Command } from '../command';
import { parseRepositoryRef } from '../references';

/** `regkit tags <repo>`. */
export const tagsCommand: Command = {
  name: 'tags',
  summary: 'list every tag of a repository (all pages)',
  args: '<repository>',
  description: "Lists the tags of a repository, following the registry's pages to the end, one per line.",
  arity: { min: 1, max: 1 },
  examples: ['regkit tags golang', 'regkit tags 127.0.0.1:5000/library/golang --json'],
  json: '{ repository, tags }',
  async run(context) {
    const ref = parseRepositoryRef(context.positionals[0] as string);
    context.subject = ref.canonical;
    const registry = await context.registry(ref.domain);
    const tags = await registry.repository(ref.repository).tags().getAll();
    if (context.out.json) await context.out.document({ repository: ref.canonical, tags });
    else if (tags.length > 0) await context.out.line(tags.join('\n'));
  },
};
