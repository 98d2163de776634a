/**
 * The runtime suite's client side: the same code runs in Node, Bun, Deno
 * and a Chromium page (bundled by esbuild), using only `@regkit/core` and
 * `@regkit/auth-token` over the platform's `fetch`. It reads an image,
 * streams its big layer, then copies the image (uploads) as another user.
 */

import { createTokenAuthenticator } from '@regkit/auth-token';
import { createFetchTransport, ForbiddenError, Registry, UnauthorizedError } from '@regkit/core';
import { type CopyOutcome, copyToPushRepository } from './copy-step';
import { COLLECT_EVERY_BYTES, type MemoryProbe } from './memory-probe';

export type { MeasuredPhase, MemoryProbe } from './memory-probe';

/** What the orchestrator tells the client: where to go and what it should find. */
export interface ScenarioConfig {
  /** `127.0.0.1:<port>` of the registry. */
  readonly domain: string;
  readonly username: string;
  readonly password: string;
  /** A repository only `username` may pull. */
  readonly repository: string;
  readonly tag: string;
  /** A user who may push to {@link pushRepository} (and nothing to {@link repository}). */
  readonly pushUsername: string;
  readonly pushPassword: string;
  /** Where the image is copied; one per run, so no run finds blobs another one pushed. */
  readonly pushRepository: string;
}

/** What the client saw, printed as JSON for the orchestrator to check. */
export interface ScenarioResult {
  readonly anonymous: string;
  readonly tags: readonly string[];
  readonly manifestDigest: string;
  readonly configArchitecture: unknown;
  readonly layerDigest: string;
  readonly layerBytes: number;
  readonly chunks: number;
  /** Resident memory just before the stream, in bytes. */
  readonly rssBefore: number;
  /** The most resident memory seen while streaming, in bytes. */
  readonly rssPeak: number;
  readonly streamMs: number;
  /** `streamsRequestBodies` of the default transport here: whether an upload goes in one streamed request. */
  readonly streamsRequestBodies: boolean;
  /** True when a garbage collection was forced once per 8 MiB of each phase (Chromium, see `MemoryProbe.collectGarbage`). */
  readonly forcedGc: boolean;
  readonly copy: CopyOutcome;
}

export async function runScenario(config: ScenarioConfig, memory: MemoryProbe): Promise<ScenarioResult> {
  const reference = `${config.domain}/${config.repository}`;

  // Without credentials the token service grants nothing on this repository.
  const anonymous = new Registry({ domain: config.domain, authenticator: createTokenAuthenticator() });
  let anonymousOutcome = 'allowed';
  try {
    await anonymous.repositoryFromString(reference).tags().getAll();
  } catch (error) {
    if (UnauthorizedError.isInstance(error) || ForbiddenError.isInstance(error)) anonymousOutcome = error.name;
    else throw error;
  }

  const registry = new Registry({
    domain: config.domain,
    authenticator: createTokenAuthenticator({ username: config.username, password: config.password }),
  });
  const repository = registry.repositoryFromString(reference);
  const tags = await repository.tags().getAll();
  const image = await repository.images().getByTag(config.tag);
  const manifest = await repository.manifests().get(image.digest);
  if (manifest.kind !== 'image') throw new Error(`expected an image manifest, got ${manifest.kind}`);
  const imageConfig = JSON.parse(new TextDecoder().decode(await repository.blobs().getBytes(manifest.config.digest))) as {
    architecture?: unknown;
  };
  const layer = manifest.layers[0];
  if (layer === undefined) throw new Error('the image has no layer');

  // core verifies the digest as the bytes flow and fails the stream on a mismatch.
  memory.collectGarbage?.();
  await memory.begin?.('stream');
  const rssBefore = memory.rss() ?? 0;
  let rssPeak = rssBefore;
  const started = Date.now();
  const download = await repository.blobs().get(layer.digest);
  let layerBytes = 0;
  let chunks = 0;
  let collectAt = COLLECT_EVERY_BYTES;
  const reader = download.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    layerBytes += value.byteLength;
    chunks++;
    if (memory.collectGarbage !== undefined && layerBytes >= collectAt) {
      memory.collectGarbage();
      collectAt = layerBytes + COLLECT_EVERY_BYTES;
    }
    rssPeak = Math.max(rssPeak, memory.rss() ?? 0);
  }
  const streamMs = Date.now() - started;
  await memory.end?.('stream');

  memory.collectGarbage?.();
  await memory.begin?.('copy');
  const copy = await copyToPushRepository(
    repository,
    config.tag,
    { domain: config.domain, username: config.pushUsername, password: config.pushPassword, repository: config.pushRepository },
    () => memory.rss(),
    memory.collectGarbage?.bind(memory),
  );
  await memory.end?.('copy');
  await registry.close();
  return {
    anonymous: anonymousOutcome,
    tags,
    manifestDigest: image.digest,
    configArchitecture: imageConfig.architecture,
    layerDigest: download.digest,
    layerBytes,
    chunks,
    rssBefore,
    rssPeak,
    streamMs,
    streamsRequestBodies: createFetchTransport().streamsRequestBodies === true,
    forcedGc: memory.collectGarbage !== undefined,
    copy,
  };
}
