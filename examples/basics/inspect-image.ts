/**
 * Inspect an image: its digest, platforms and attestations, like
 * `docker buildx imagetools inspect`.
 *
 *   pnpm inspect golang:1.12.0
 *   pnpm inspect ghcr.io/org/app@sha256:…
 */
import { pathToFileURL } from 'node:url';
import { createTokenAuthenticator } from '@regkit/auth-token';
import { type Image, parseImageName, Registry, type RegistryOptions } from '@regkit/core';

/** Reads `image` (tag or digest; `latest` when neither) and returns what a person wants to see. */
export async function inspectImage(image: string, options: Partial<RegistryOptions> = {}): Promise<Image> {
  const { domain } = parseImageName(image);
  const registry = new Registry({ domain, authenticator: createTokenAuthenticator(), ...options });
  return registry.image(image);
}

/** One line per platform: `linux/arm64/v8  sha256:…`. */
export function formatImage(image: Image): string {
  const lines = [`${image.domain}/${image.repository}${image.tag ? `:${image.tag}` : ''}  ${image.digest}`];
  for (const p of image.platforms) {
    lines.push(`  ${[p.os, p.architecture, p.variant].filter(Boolean).join('/').padEnd(20)} ${p.digest}`);
  }
  for (const a of image.attestations) lines.push(`  ${'attestation'.padEnd(20)} ${a.digest} → ${a.subjectDigest ?? '?'}`);
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const image = process.argv[2];
  if (!image) {
    console.error('usage: pnpm inspect <image>');
    process.exitCode = 2;
  } else {
    console.log(formatImage(await inspectImage(image)));
  }
}
