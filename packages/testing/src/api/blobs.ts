import { isBuiltBlob } from '../content/build-blob';
import { isValidDigest } from '../content/digest';
import { blobSize, type StoredBlob } from '../registry-store';
import type { ApiContext } from './context';
import { ociError } from './oci-errors';
import { type DraftResponse, emptyDraft, errorDraft, methodNotAllowed, textDraft } from './responses';

type ByteRange = { readonly start: number; readonly end: number };

/**
 * Parses `Range` as Go's `http.ServeContent` does for one range. Returns
 * `'ignore'` for several ranges: the fake serves the whole blob then (a
 * server may ignore `Range`), where Go would answer multipart/byteranges.
 */
function parseRange(header: string, size: number): ByteRange | 'ignore' | 'invalid' | 'no-overlap' {
  if (!header.startsWith('bytes=')) return 'invalid';
  const specs = header
    .slice('bytes='.length)
    .split(',')
    .map((spec) => spec.trim())
    .filter((spec) => spec !== '');
  if (specs.length === 0) return 'invalid';
  if (specs.length > 1) return 'ignore';
  const match = /^(\d*)-(\d*)$/.exec(specs[0] ?? '');
  if (!match || (match[1] === '' && match[2] === '')) return 'invalid';
  const [, first = '', last = ''] = match;
  if (first === '') {
    // Suffix range: the last N bytes.
    const length = Number(last);
    if (length === 0) return 'no-overlap';
    return { start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(first);
  if (start >= size) return 'no-overlap';
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (end < start) return 'invalid';
  return { start, end };
}

function blobHeaders(digest: string, withDigest: boolean): Record<string, string> {
  return {
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'max-age=31536000',
    'Content-Type': 'application/octet-stream',
    ...(withDigest ? { 'Docker-Content-Digest': digest } : {}),
    Etag: `"${digest}"`,
  };
}

function sliceBlob(blob: StoredBlob, start: number, end: number): Uint8Array | ReadableStream<Uint8Array> {
  return isBuiltBlob(blob) ? blob.stream(start, end) : blob.subarray(start, end);
}

/**
 * A blob answer as Go's `http.ServeContent` gives it: conditional requests,
 * a single `Range` (206), HEAD with the length and no body. Shared by the
 * registry and the fake storage host behind blob redirects.
 */
export function serveBlob(
  method: string,
  requestHeaders: Headers,
  blob: StoredBlob,
  headers: Record<string, string>,
  etag: string,
  /** Headers a 416 keeps (2.8 sets the digest and ETag before Go's `ServeContent` refuses the range). */
  refusalHeaders: Record<string, string> = {},
): DraftResponse {
  const head = method === 'HEAD';
  const size = blobSize(blob);
  const ifNoneMatch = requestHeaders.get('if-none-match');
  if (ifNoneMatch?.split(',').some((tag) => tag.trim() === etag || tag.trim() === '*')) {
    const { 'Content-Type': _type, ...notModified } = headers;
    return emptyDraft(304, notModified);
  }
  const rangeHeader = requestHeaders.get('range');
  const range = rangeHeader === null ? 'ignore' : parseRange(rangeHeader, size);
  if (range === 'invalid') return textDraft(416, 'invalid range', refusalHeaders);
  if (range === 'no-overlap')
    return textDraft(416, 'invalid range: failed to overlap', { ...refusalHeaders, 'Content-Range': `bytes */${size}` });
  if (range === 'ignore') {
    return { status: 200, headers: { ...headers, 'Content-Length': String(size) }, body: head ? null : sliceBlob(blob, 0, size) };
  }
  return {
    status: 206,
    headers: {
      ...headers,
      'Content-Length': String(range.end + 1 - range.start),
      'Content-Range': `bytes ${range.start}-${range.end}/${size}`,
    },
    body: head ? null : sliceBlob(blob, range.start, range.end + 1),
  };
}

/** Go's `http.Redirect` for GET: a Location and a tiny HTML body; HEAD gets no body. */
function redirectToStorage(context: ApiContext, location: string, status: number): DraftResponse {
  const text = status === 307 ? 'Temporary Redirect' : 'Found';
  const body = new TextEncoder().encode(`<a href="${location.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}">${text}</a>.\n\n`);
  return {
    status,
    headers: { Location: location, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(body.length) },
    body: context.method === 'HEAD' ? null : body,
  };
}

/**
 * `/v2/<name>/blobs/<digest>`: GET/HEAD with single `Range` support (206)
 * and DELETE. Blobs are per repository, so a blob pushed elsewhere is 404
 * `BLOB_UNKNOWN` here, as in distribution.
 */
export function blobsEndpoint(context: ApiContext, name: string, digest: string): DraftResponse {
  // 2.8 validates the digest before looking at the method; go-digest's
  // error marshals as `{}`.
  if (!isValidDigest(digest)) return errorDraft([ociError('DIGEST_INVALID', { detail: {} })]);
  const repository = context.store.get(name);
  const bytes = repository?.blobs.get(digest);
  switch (context.method) {
    case 'GET':
    case 'HEAD':
      if (bytes === undefined) return errorDraft([ociError('BLOB_UNKNOWN', { detail: digest })]);
      if (context.blobLocation !== undefined && context.profile.blobRedirect?.methods.includes(context.method as 'GET')) {
        return redirectToStorage(context, context.blobLocation(context.endpoint, digest), context.profile.blobRedirect.status);
      }
      return serveBlob(
        context.method,
        context.headers,
        bytes,
        blobHeaders(digest, context.profile.contentDigestHeader !== false),
        `"${digest}"`,
        {
          'Cache-Control': 'max-age=31536000',
          ...(context.profile.contentDigestHeader === false ? {} : { 'Docker-Content-Digest': digest }),
          Etag: `"${digest}"`,
        },
      );
    case 'DELETE':
      if (!context.profile.deleteEnabled) return errorDraft([ociError('UNSUPPORTED')]);
      if (bytes === undefined || repository === undefined) return errorDraft([ociError('BLOB_UNKNOWN', { detail: digest })]);
      repository.blobs.delete(digest);
      return emptyDraft(202, { 'Content-Length': '0' });
    default:
      return methodNotAllowed(['DELETE', 'GET', 'HEAD']);
  }
}
