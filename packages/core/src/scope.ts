import type { HttpMethod } from './transport';

/**
 * The token scope a repository request needs, as distribution derives it:
 * reads need `pull`, writes `pull,push`, deletes `delete` (not push).
 */
export function repositoryScope(name: string, method: HttpMethod): string {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return `repository:${name}:pull`;
    case 'DELETE':
      return `repository:${name}:delete`;
    default:
      return `repository:${name}:pull,push`;
  }
}

/** The scope the catalog needs. */
export const CATALOG_SCOPE = 'registry:catalog:*';
