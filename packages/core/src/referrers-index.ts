import { ReferrersIndexError } from './errors';
import type { Descriptor, ImageIndex } from './manifest';
import { putManifest } from './manifests';
import { MediaTypes } from './media-types';
import { loadReferrersTag, referrersTag } from './referrers';
import type { RepositoryContext } from './repository-context';
import { resolveManifest } from './resolve';

/** Rounds of read-modify-write before giving up on a referrers tag other writers keep replacing. */
const MAX_ATTEMPTS = 5;

/** One change to a fallback index: the new entry list (or undefined when nothing changes), and how to see it applied. */
interface IndexChange {
  /** The entries after the change, from the entries before it; undefined when it is already applied. */
  readonly apply: (entries: readonly Descriptor[]) => readonly Descriptor[] | undefined;
  /** True when `entries` reflect the change (another writer's index may carry it too). */
  readonly appliedIn: (entries: readonly Descriptor[]) => boolean;
}

/**
 * Read-modify-write of the referrers tag of `subject`, as the OCI
 * specification asks of clients when the registry does not index subjects
 * itself. The distribution API has no compare-and-swap (2.8 ignores
 * `If-Match` on manifest PUT), so a race is detected after the fact: once
 * written, the tag is resolved again; if it names another index (a writer
 * that came after us) and that index lacks our change, the tag is read again
 * and the change merged again, at most {@link MAX_ATTEMPTS} times. What this
 * cannot see is a rival that read the tag before our write and writes after
 * our check: its index then lacks our entry and it has no way to know. The
 * specification accepts this window for client-maintained tags; it is as
 * wide as the rival's read-to-write time.
 */
async function updateReferrersTag(
  context: RepositoryContext,
  subject: string,
  change: IndexChange,
  signal: AbortSignal | undefined,
): Promise<void> {
  const tag = referrersTag(subject);
  const signalOption = signal === undefined ? {} : { signal };
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const found = await loadReferrersTag(context, subject, signal);
    if (found.state === 'other') {
      throw new ReferrersIndexError(context.name, tag, `it holds ${found.mediaType}, not an OCI index; it was left alone`);
    }
    const current = found.state === 'index' ? found.index : undefined;
    const entries = change.apply(current?.manifests ?? []);
    if (entries === undefined) return;
    const { digest } = await putManifest(context, indexDocument(current, entries), { tag, ...signalOption });
    const now = await resolveManifest(context, tag, signalOption);
    if (now.digest === digest) return;
    const after = await loadReferrersTag(context, subject, signal);
    if (after.state === 'index' && change.appliedIn(after.index.manifests)) return;
  }
  throw new ReferrersIndexError(context.name, tag, `other writers replaced it ${MAX_ATTEMPTS} times in a row`);
}

function indexDocument(current: ImageIndex | undefined, entries: readonly Descriptor[]): Record<string, unknown> {
  return {
    schemaVersion: 2,
    mediaType: MediaTypes.OciIndex,
    manifests: entries,
    ...(current?.annotations !== undefined && { annotations: current.annotations }),
  };
}

/**
 * Adds `entry` (an artifact manifest's descriptor, with `artifactType` and
 * `annotations`) to the referrers tag of `subject`, creating the index when
 * there is none. An entry already there is left as it is.
 *
 * @internal
 */
export function addReferrer(context: RepositoryContext, subject: string, entry: Descriptor, signal?: AbortSignal): Promise<void> {
  const has = (entries: readonly Descriptor[]) => entries.some((existing) => existing.digest === entry.digest);
  return updateReferrersTag(
    context,
    subject,
    { apply: (entries) => (has(entries) ? undefined : [...entries, entry]), appliedIn: has },
    signal,
  );
}

/**
 * Removes the manifest `digest` from the referrers tag of `subject`. An
 * index left empty stays, empty: deleting it by digest would also delete
 * every other subject's empty index, which has the same bytes.
 *
 * @internal
 */
export function removeReferrer(context: RepositoryContext, subject: string, digest: string, signal?: AbortSignal): Promise<void> {
  const lacks = (entries: readonly Descriptor[]) => !entries.some((existing) => existing.digest === digest);
  return updateReferrersTag(
    context,
    subject,
    {
      apply: (entries) => (lacks(entries) ? undefined : entries.filter((existing) => existing.digest !== digest)),
      appliedIn: lacks,
    },
    signal,
  );
}
