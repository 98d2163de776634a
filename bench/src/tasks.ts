import type { ClientSession } from './clients/client';
import { type Job, type TaskId, type TaskSizes, tagName, type Workload } from './jobs';

/**
 * Runs one task once on a session and checks the answer, so a client that
 * truncates, skips or returns wrong digests fails its row instead of
 * looking fast.
 */
export async function performTask(session: ClientSession, task: TaskId, workload: Workload, sizes: TaskSizes): Promise<void> {
  switch (task) {
    case 'T1': {
      const { multiArch } = workload;
      const found = await session.getByTag(multiArch.repository, multiArch.tag);
      expectEqual('digest', found.digest, multiArch.digest);
      if (found.platforms !== undefined) expectEqual('platforms', found.platforms, multiArch.platforms);
      return;
    }
    case 'T2': {
      const { manyTags } = workload;
      const tags = await session.listTags(manyTags.repository);
      const unique = new Set(tags);
      if (tags.length !== manyTags.count || unique.size !== manyTags.count) {
        throw new Error(
          `tag list truncated or repeated: ${tags.length} tags (${unique.size} distinct), expected ${manyTags.count}`,
        );
      }
      for (let i = 0; i < manyTags.count; i++) if (!unique.has(tagName(i))) throw new Error(`tag ${tagName(i)} missing`);
      return;
    }
    case 'T3':
    case 'T5': {
      const { manyTags } = workload;
      const references = task === 'T3' ? resolveReferences(workload, sizes) : headReferences(workload, sizes);
      const digests = await session.resolveMany(manyTags.repository, references, sizes.concurrency);
      expectEqual('results', digests.length, references.length);
      for (const [i, digest] of digests.entries()) expectEqual(`digest of ${references[i]}`, digest, manyTags.manifestDigest);
      return;
    }
    case 'T4': {
      const { blob } = workload;
      const bytes = await session.downloadBlob(blob.repository, blob.digest, blob.tag);
      expectEqual('bytes', bytes, blob.size);
      return;
    }
  }
}

/** T3: the first `resolveCount` tags (wrapping if the repository has fewer). */
function resolveReferences(workload: Workload, sizes: TaskSizes): string[] {
  return Array.from({ length: sizes.resolveCount }, (_, i) => tagName(i % workload.manyTags.count));
}

/** T5: the same manifest by digest, `headCount` times. */
function headReferences(workload: Workload, sizes: TaskSizes): string[] {
  return new Array<string>(sizes.headCount).fill(workload.manyTags.manifestDigest);
}

function expectEqual(what: string, actual: unknown, expected: unknown): void {
  if (actual !== expected) throw new Error(`${what}: got ${String(actual)}, expected ${String(expected)}`);
}

/** The fewest requests the protocol allows for a task, from a cold start. */
export function minimumRequests(job: Pick<Job, 'task' | 'mode' | 'sizes'>): number {
  // Token auth costs one challenged request and one token GET, once.
  const auth = job.mode === 'token' ? 2 : 0;
  switch (job.task) {
    case 'T3':
      return job.sizes.resolveCount + auth;
    case 'T5':
      return job.sizes.headCount + auth;
    default:
      return 1 + auth;
  }
}
