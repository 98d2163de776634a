import { blobsEndpoint } from './blobs';
import type { ApiContext } from './context';
import { catalogEndpoint, tagsEndpoint } from './listing';
import { manifestsEndpoint } from './manifests';
import { ociError } from './oci-errors';
import { referrersEndpoint } from './referrers';
import { type DraftResponse, errorDraft, pageNotFound } from './responses';
import type { Route } from './routes';
import { uploadsEndpoint } from './uploads';

const encoder = new TextEncoder();

/** `GET /v2/`: 200 `{}` for any method, as 2.8's base handler answers. */
function baseEndpoint(): DraftResponse {
  return {
    status: 200,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': '2' },
    body: encoder.encode('{}'),
  };
}

/** A 301 as gorilla/mux writes it: a bare one for unclean paths, Go's `http.Redirect` (small HTML body) for slashes. */
export function redirectDraft(location: string, html: boolean): DraftResponse {
  if (!html) return { status: 301, headers: { Location: location, 'Content-Length': '0' }, body: null };
  const body = encoder.encode(`<a href="${location.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}">Moved Permanently</a>.\n\n`);
  return {
    status: 301,
    headers: { Location: location, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(body.length) },
    body,
  };
}

/** 2.8's limit on a repository name (its bundled `reference` package's `NameTotalLengthMax`). */
export const MAX_NAME_LENGTH = 255;

/**
 * 2.8 routes a longer name, then fails to parse it as a reference and
 * answers 500 UNKNOWN with the parse error as detail (its `Reason` marshals
 * as `{}`), whatever the route and method.
 */
function nameTooLong(name: string): DraftResponse {
  return errorDraft([ociError('UNKNOWN', { detail: { Name: name, Reason: {} } })]);
}

/** Answers a routed, authorised request. */
export function dispatch(context: ApiContext, target: Route): DraftResponse {
  if ('name' in target && target.name.length > MAX_NAME_LENGTH) return nameTooLong(target.name);
  switch (target.kind) {
    case 'base':
      return baseEndpoint();
    case 'catalog':
      return catalogEndpoint(context);
    case 'tags':
      return tagsEndpoint(context, target.name);
    case 'manifest':
      return manifestsEndpoint(context, target.name, target.reference);
    case 'blob':
      return blobsEndpoint(context, target.name, target.digest);
    case 'upload':
      return uploadsEndpoint(context, target.name, target.uuid);
    case 'referrers':
      return referrersEndpoint(context, target.name, target.digest);
    case 'redirect':
      return redirectDraft(target.location, target.html);
    case 'miss':
      return pageNotFound();
  }
}
