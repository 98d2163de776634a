import type { Command } from '../command';
import { openImage } from '../image-reads';

/** `regkit ratelimit <ref>`. */
export const ratelimitCommand: Command = {
  name: 'ratelimit',
  summary: "show Docker Hub's pull budget without spending it",
  args: '<ref>',
  description:
    'Sends one HEAD for the manifest (free on Docker Hub) and prints the RateLimit-Limit / RateLimit-Remaining budget it reports, and whose budget it is. Registries without a budget report none.',
  arity: { min: 1, max: 1 },
  examples: ['regkit ratelimit ratelimitpreview/test', 'regkit ratelimit golang:1.12.0 --json'],
  json: '{ reference, limit, remaining, windowSeconds, source } (null values when the registry reports no budget)',
  async run(context) {
    const { ref, repository } = await openImage(context);
    await repository.images().resolve(ref.reference);
    const state = repository.registry.rateLimit;
    if (context.out.json) {
      await context.out.document({
        reference: ref.canonical,
        limit: state?.limit ?? null,
        remaining: state?.remaining ?? null,
        windowSeconds: state?.windowSeconds ?? null,
        source: state?.source ?? null,
      });
    } else if (state === undefined) {
      await context.out.line(`${repository.registry.domain} reports no pull rate limit`);
    } else {
      const window = state.windowSeconds === undefined ? '' : ` per ${formatWindow(state.windowSeconds)}`;
      const source = state.source === undefined ? '' : ` (budget of ${state.source})`;
      await context.out.line(`${state.remaining} of ${state.limit} pulls left${window}${source}`);
    }
  },
};

function formatWindow(seconds: number): string {
  return seconds % 3600 === 0 ? `${seconds / 3600} h` : `${seconds} s`;
}
