import { InvalidReferenceError, parseNormalizedNamed } from '@regkit/core';
import { usageError } from './cli-error';

/** An image reference as the CLI takes it: `[registry/]repository[:tag|@digest]`. */
export interface ImageRef {
  /** As typed. */
  readonly input: string;
  /** Registry domain, `docker.io` for Docker Hub. */
  readonly domain: string;
  /** Repository path, e.g. `library/golang`. */
  readonly repository: string;
  /** Tag or digest to read: the digest if both are given, `latest` if neither. */
  readonly reference: string;
  /** `domain/repository:tag` or `domain/repository@digest`, the canonical form. */
  readonly canonical: string;
}

function parse(input: string, what: string) {
  try {
    return parseNormalizedNamed(input);
  } catch (error) {
    if (InvalidReferenceError.isInstance(error)) {
      throw usageError(
        `${JSON.stringify(input)} is not a valid ${what}: ${error.message}`,
        'write it as [registry/]repository[:tag|@digest], e.g. 127.0.0.1:5000/library/golang:1.12.0',
      );
    }
    throw error;
  }
}

/** Parses an image reference; a name alone means `:latest`, as with `docker pull`. */
export function parseImageRef(input: string): ImageRef {
  const ref = parse(input, 'image reference');
  const reference = ref.digest ?? ref.tag ?? 'latest';
  const separator = reference.includes(':') ? '@' : ':';
  return {
    input,
    domain: ref.domain,
    repository: ref.path,
    reference,
    canonical: `${ref.domain}/${ref.path}${separator}${reference}`,
  };
}

/** Parses a repository name, refusing a tag or digest. */
export function parseRepositoryRef(input: string): { domain: string; repository: string; canonical: string } {
  const ref = parse(input, 'repository');
  if (ref.tag !== undefined || ref.digest !== undefined) {
    throw usageError(
      `${JSON.stringify(input)} names an image, not a repository`,
      `drop the ${ref.digest !== undefined ? '@digest' : ':tag'}`,
    );
  }
  return { domain: ref.domain, repository: ref.path, canonical: `${ref.domain}/${ref.path}` };
}

/** Parses `repository@digest`. */
export function parseBlobRef(input: string): { domain: string; repository: string; digest: string } {
  const ref = parse(input, 'blob reference');
  if (ref.digest === undefined || ref.tag !== undefined) {
    throw usageError(`${JSON.stringify(input)} is not a blob reference`, 'write it as [registry/]repository@sha256:<hex>');
  }
  return { domain: ref.domain, repository: ref.path, digest: ref.digest };
}

/** A registry domain as `catalog` takes it: `host[:port]`, nothing after. */
export function parseRegistryDomain(input: string): string {
  if (!/^[a-zA-Z0-9.-]+(?::\d+)?$|^\[[0-9a-fA-F:.]+\](?::\d+)?$/.test(input)) {
    throw usageError(
      `${JSON.stringify(input)} is not a registry host`,
      'write it as host[:port], e.g. 127.0.0.1:5000 or ghcr.io',
    );
  }
  return input;
}
