import type { Route } from '../api/routes';

/** One resource and the actions a request needs on it, as distribution's access controller sees it. */
export interface AccessRequirement {
  /** `repository` or `registry` (for the catalog). */
  readonly type: 'repository' | 'registry';
  /** Repository name, or `catalog`. */
  readonly name: string;
  /** Actions needed, e.g. `['pull']`, `['pull', 'push']`, `['delete']`, `['*']`. */
  readonly actions: readonly string[];
}

/**
 * The access a routed request needs, with 2.8's method mapping: GET/HEAD
 * need `pull`, POST/PUT/PATCH `pull` and `push`, DELETE `delete` (not
 * `push`), the catalog `registry:catalog:*`. `null` means authentication
 * only (`/v2/`, unusual methods).
 */
export function requiredAccess(target: Route, method: string): AccessRequirement | null {
  switch (target.kind) {
    case 'catalog':
      return { type: 'registry', name: 'catalog', actions: ['*'] };
    case 'tags':
    case 'manifest':
    case 'blob':
    case 'upload':
    case 'referrers': {
      const actions = repositoryActions(method);
      return actions === undefined ? null : { type: 'repository', name: target.name, actions };
    }
    default:
      return null;
  }
}

function repositoryActions(method: string): readonly string[] | undefined {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return ['pull'];
    case 'POST':
    case 'PUT':
    case 'PATCH':
      return ['pull', 'push'];
    case 'DELETE':
      return ['delete'];
    default:
      return undefined;
  }
}

/** The scope string a token request asks for: `repository:library/golang:pull`. */
export function formatRequirement(requirement: AccessRequirement): string {
  return `${requirement.type}:${requirement.name}:${requirement.actions.join(',')}`;
}

/** The `detail` of 2.8's 401 body: one access record per action. */
export function accessRecords(requirement: AccessRequirement | null): unknown {
  if (requirement === null) return null;
  return requirement.actions.map((action) => ({ Type: requirement.type, Class: '', Name: requirement.name, Action: action }));
}
