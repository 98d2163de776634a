/**
 * The runtime suite's client side: the same code runs in Node, Bun, Deno
 * and a Chromium page (bundled by esbuild), using only `@regkit/core` and
 * `@regkit/auth-token` over the platform's `fetch`.
 */

import { createTokenAuthenticator } from '@regkit/auth-token';
import { ForbiddenError, Registry, UnauthorizedError } from '@regkit/core';

/** What the orchestrator tells the client: where to go and what it should find. */
export interface ScenarioConfig {
  /** `127.0.0.1:<port>` of the registry. */
  readonly domain: string;
  readonly username: string;
  readonly password: string;
  /** A repository only `username` may pull. */
  readonly repository: string;
  readonly tag: string;
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
}

/** How the runtime's memory is read around the stream. */
export interface MemoryProbe {
  /** This process's resident memory in bytes; `undefined` where a script cannot read it (a page). */
  rss(): number | undefined;
  /** Called right before the stream starts, so an outside observer (the page's renderer) can take its baseline. */
  beforeStream?(): Promise<void>;
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
  await memory.beforeStream?.();
  const rssBefore = memory.rss() ?? 0;
  let rssPeak = rssBefore;
  const started = Date.now();
  const download = await repository.blobs().get(layer.digest);
  let layerBytes = 0;
  let chunks = 0;
  const reader = download.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    layerBytes += value.byteLength;
    chunks++;
    rssPeak = Math.max(rssPeak, memory.rss() ?? 0);
  }
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
    streamMs: Date.now() - started,
  };
}
