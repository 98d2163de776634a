/**
 * The scenario's write part: `copyImage()` of the image just read into a
 * repository of the same registry, through a second `Registry` (another
 * user, the push user), so every blob is uploaded instead of mounted.
 */
import { createTokenAuthenticator } from '@regkit/auth-token';
import { copyImage, Registry, type Repository } from '@regkit/core';
import { COLLECT_EVERY_BYTES } from './memory-probe';

/** Where the copy goes and who may write there. */
export interface CopyTarget {
  readonly domain: string;
  readonly username: string;
  readonly password: string;
  readonly repository: string;
}

/** What the copy did, and the memory it took. */
export interface CopyOutcome {
  readonly destination: string;
  readonly digest: string;
  readonly blobsUploaded: number;
  readonly blobsMounted: number;
  readonly blobsSkipped: number;
  readonly bytesUploaded: number;
  /** Resident memory just before the copy, in bytes. */
  readonly rssBefore: number;
  /** The most resident memory seen during the copy, in bytes. */
  readonly rssPeak: number;
  readonly copyMs: number;
}

/** How often RSS is sampled besides each progress report: a PUT that streams 64 MiB reports little in between. */
const SAMPLE_EVERY_MS = 10;

export async function copyToPushRepository(
  source: Repository,
  tag: string,
  target: CopyTarget,
  rss: () => number | undefined,
  collectGarbage?: () => void,
): Promise<CopyOutcome> {
  // A Registry of its own: between repositories of one Registry object copyImage mounts, and nothing would be uploaded.
  const destinationRegistry = new Registry({
    domain: target.domain,
    authenticator: createTokenAuthenticator({ username: target.username, password: target.password }),
  });
  const destination = destinationRegistry.repositoryFromString(`${target.domain}/${target.repository}`);
  const rssBefore = rss() ?? 0;
  let rssPeak = rssBefore;
  const sample = () => {
    rssPeak = Math.max(rssPeak, rss() ?? 0);
  };
  let collectAt = COLLECT_EVERY_BYTES;
  const onProgress = ({ bytesDone }: { bytesDone: number }) => {
    sample();
    if (collectGarbage !== undefined && bytesDone >= collectAt) {
      collectGarbage();
      collectAt = bytesDone + COLLECT_EVERY_BYTES;
    }
  };
  const sampler = setInterval(sample, SAMPLE_EVERY_MS);
  const started = Date.now();
  try {
    const result = await copyImage(source, tag, destination, { onProgress });
    sample();
    return {
      destination: destination.name,
      digest: result.digest,
      blobsUploaded: result.blobs.uploaded,
      blobsMounted: result.blobs.mounted,
      blobsSkipped: result.blobs.skipped,
      bytesUploaded: result.bytesUploaded,
      rssBefore,
      rssPeak,
      copyMs: Date.now() - started,
    };
  } finally {
    clearInterval(sampler);
    await destinationRegistry.close();
  }
}
