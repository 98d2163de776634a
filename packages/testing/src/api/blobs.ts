import { isValidDigest } from '../content/digest';
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

function blobHeaders(digest: string): Record<string, string> {
  return {
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'max-age=31536000',
    'Content-Type': 'application/octet-stream',
    'Docker-Content-Digest': digest,
    Etag: `"${digest}"`,
  };
}

function getBlob(context: ApiContext, bytes: Uint8Array, digest: string): DraftResponse {
  const head = context.method === 'HEAD';
  const headers = blobHeaders(digest);
  const ifNoneMatch = context.headers.get('if-none-match');
  if (ifNoneMatch?.split(',').some((tag) => tag.trim() === `"${digest}"` || tag.trim() === '*')) {
    const { 'Content-Type': _type, ...notModified } = headers;
    return emptyDraft(304, notModified);
  }
  const rangeHeader = context.headers.get('range');
  const range = rangeHeader === null ? 'ignore' : parseRange(rangeHeader, bytes.length);
  if (range === 'invalid') return textDraft(416, 'invalid range');
  if (range === 'no-overlap')
    return textDraft(416, 'invalid range: failed to overlap', { 'Content-Range': `bytes */${bytes.length}` });
  if (range === 'ignore') {
    return { status: 200, headers: { ...headers, 'Content-Length': String(bytes.length) }, body: head ? null : bytes };
  }
  const slice = bytes.subarray(range.start, range.end + 1);
  return {
    status: 206,
    headers: {
      ...headers,
      'Content-Length': String(slice.length),
      'Content-Range': `bytes ${range.start}-${range.end}/${bytes.length}`,
    },
    body: head ? null : slice,
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
      return getBlob(context, bytes, digest);
    case 'DELETE':
      if (!context.profile.deleteEnabled) return errorDraft([ociError('UNSUPPORTED')]);
      if (bytes === undefined || repository === undefined) return errorDraft([ociError('BLOB_UNKNOWN', { detail: digest })]);
      repository.blobs.delete(digest);
      return emptyDraft(202, { 'Content-Length': '0' });
    default:
      return methodNotAllowed(['DELETE', 'GET', 'HEAD']);
  }
}
