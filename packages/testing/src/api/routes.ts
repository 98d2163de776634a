import { ROUTABLE_DIGEST } from '../content/digest';

/** What a registry path routes to, following distribution 2.8's router. */
export type Route =
  | { readonly kind: 'base' }
  | { readonly kind: 'catalog' }
  | { readonly kind: 'tags'; readonly name: string }
  | { readonly kind: 'manifest'; readonly name: string; readonly reference: string }
  | { readonly kind: 'blob'; readonly name: string; readonly digest: string }
  | { readonly kind: 'upload'; readonly name: string; readonly uuid: string | undefined }
  | { readonly kind: 'referrers'; readonly name: string; readonly digest: string }
  | { readonly kind: 'redirect'; readonly location: string; readonly html: boolean }
  | { readonly kind: 'miss' };

const NAME = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*';
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = ROUTABLE_DIGEST.source.slice(1, -1);

const PATTERNS: readonly [RegExp, (match: RegExpExecArray) => Route][] = [
  [/^\/v2\/$/, () => ({ kind: 'base' })],
  [/^\/v2\/_catalog$/, () => ({ kind: 'catalog' })],
  [
    new RegExp(`^/v2/(${NAME})/manifests/(${TAG}|${DIGEST})$`),
    (m) => ({ kind: 'manifest', name: m[1] ?? '', reference: m[2] ?? '' }),
  ],
  [new RegExp(`^/v2/(${NAME})/tags/list$`), (m) => ({ kind: 'tags', name: m[1] ?? '' })],
  [new RegExp(`^/v2/(${NAME})/blobs/(${DIGEST})$`), (m) => ({ kind: 'blob', name: m[1] ?? '', digest: m[2] ?? '' })],
  [new RegExp(`^/v2/(${NAME})/blobs/uploads/([a-zA-Z0-9-_.=]+)?$`), (m) => ({ kind: 'upload', name: m[1] ?? '', uuid: m[2] })],
];

/** The referrers route, matched only for profiles that serve the API (2.8 has no such route). */
const REFERRERS = new RegExp(`^/v2/(${NAME})/referrers/(${DIGEST})$`);

function matchPath(path: string, referrers: boolean): Route | undefined {
  if (referrers) {
    const match = REFERRERS.exec(path);
    if (match) return { kind: 'referrers', name: match[1] ?? '', digest: match[2] ?? '' };
  }
  for (const [pattern, build] of PATTERNS) {
    const match = pattern.exec(path);
    if (match) return build(match);
  }
  return undefined;
}

/** Go's `path.Clean`, keeping a trailing slash as gorilla/mux does. */
function cleanPath(path: string): string {
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  const cleaned = `/${out.join('/')}`;
  return path.endsWith('/') && cleaned !== '/' ? `${cleaned}/` : cleaned;
}

/**
 * Routes a request path. Like gorilla/mux with `StrictSlash(true)`, an
 * unclean path (`//`, `/./`) or a path that matches only with or without its
 * trailing slash (`/v2` → `/v2/`) is a 301 to the canonical path, query
 * kept; the `Location` is relative, as Go writes it. `html` marks the
 * strict-slash case, where Go's `http.Redirect` also writes a small HTML body.
 */
export function route(url: URL, options: { readonly referrers?: boolean } = {}): Route {
  const referrers = options.referrers ?? false;
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return { kind: 'miss' };
  }
  const cleaned = cleanPath(path);
  if (cleaned !== path) return { kind: 'redirect', location: `${cleaned}${url.search}`, html: false };
  const matched = matchPath(path, referrers);
  if (matched) return matched;
  const toggled = path.endsWith('/') ? path.slice(0, -1) : `${path}/`;
  if (toggled !== '' && matchPath(toggled, referrers))
    return { kind: 'redirect', location: `${toggled}${url.search}`, html: true };
  return { kind: 'miss' };
}
