import { fromBase64, toBase64Url } from '../base64';
import { isValidDigest, sha256Digest } from '../content/digest';
import type { UploadSession } from '../registry-store';
import type { ApiContext } from './context';
import { ociError } from './oci-errors';
import { type DraftResponse, emptyDraft, errorDraft, methodNotAllowed } from './responses';

/**
 * The `_state` query parameter of an upload `Location`. 2.8 signs a JSON
 * record of the repository, session and offset with HMAC; the fake encodes
 * the same record without the signature. It changes with every chunk, so a
 * client that reuses an old `Location` is caught (404 `BLOB_UPLOAD_INVALID`).
 */
interface UploadState {
  readonly name: string;
  readonly uuid: string;
  readonly offset: number;
}

function packState(state: UploadState): string {
  return toBase64Url(JSON.stringify({ Name: state.name, UUID: state.uuid, Offset: state.offset }));
}

function unpackState(value: string | null): UploadState | undefined {
  if (value === null || value === '') return undefined;
  const bytes = fromBase64(value);
  if (bytes === undefined) return undefined;
  try {
    const parsed = JSON.parse(new TextDecoder().decode(bytes)) as {
      Name?: unknown;
      UUID?: unknown;
      Offset?: unknown;
    };
    if (typeof parsed.Name !== 'string' || typeof parsed.UUID !== 'string' || typeof parsed.Offset !== 'number') return undefined;
    return { name: parsed.Name, uuid: parsed.UUID, offset: parsed.Offset };
  } catch {
    return undefined;
  }
}

/** `Range: 0-<last byte>` as 2.8 writes it: floored at 0, so `0-0` means 0 or 1 byte. */
function rangeHeader(size: number): string {
  return `0-${Math.max(0, size - 1)}`;
}

/** The headers every answer about an open session carries: where to go next and how much arrived. */
function sessionHeaders(context: ApiContext, session: UploadSession): Record<string, string> {
  const state = packState({ name: session.name, uuid: session.uuid, offset: session.size });
  const minimum = context.profile.chunkMinLength;
  return {
    Location: `${context.endpoint.origin}/v2/${session.name}/blobs/uploads/${session.uuid}?_state=${state}`,
    Range: rangeHeader(session.size),
    'Docker-Upload-UUID': session.uuid,
    ...(minimum === undefined ? {} : { 'OCI-Chunk-Min-Length': String(minimum) }),
  };
}

function openSession(context: ApiContext, name: string): DraftResponse {
  const session: UploadSession = { uuid: globalThis.crypto.randomUUID(), name, chunks: [], size: 0 };
  context.store.uploads.set(session.uuid, session);
  return emptyDraft(202, { ...sessionHeaders(context, session), 'Content-Length': '0' });
}

function blobCreated(context: ApiContext, name: string, digest: string): DraftResponse {
  return emptyDraft(201, {
    Location: `${context.endpoint.origin}/v2/${name}/blobs/${digest}`,
    'Content-Length': '0',
    'Docker-Content-Digest': digest,
  });
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/**
 * The `digest` query parameter of a closing PUT (or a single POST), checked
 * as 2.8 checks it: missing or malformed is 400 `DIGEST_INVALID`.
 */
function requestedDigest(context: ApiContext): string | DraftResponse {
  const digest = context.url.searchParams.get('digest');
  if (digest === null || digest === '') return errorDraft([ociError('DIGEST_INVALID', { detail: 'digest missing' })]);
  if (!isValidDigest(digest)) return errorDraft([ociError('DIGEST_INVALID', { detail: {} })]);
  return digest;
}

/** Stores uploaded bytes under `digest` when they hash to it; the 2.8 error otherwise. */
function commit(context: ApiContext, name: string, digest: string, bytes: Uint8Array): DraftResponse {
  const actual = sha256Digest(bytes);
  if (!digest.startsWith('sha256:') || actual !== digest) {
    return errorDraft([ociError('DIGEST_INVALID', { detail: { Digest: digest, Reason: {} } })]);
  }
  context.store.linkBlob(name, digest, bytes);
  return blobCreated(context, name, digest);
}

/** `POST /v2/<name>/blobs/uploads/`: a new session, a cross-repository mount, or (where the profile has it) a single-request upload. */
function startUpload(context: ApiContext, name: string): DraftResponse {
  const query = context.url.searchParams;
  const mount = query.get('mount');
  if (mount !== null) {
    const from = query.get('from');
    // 2.8 mounts only with `from`; without it, or when the blob is not there, it opens a session instead.
    const blob = from === null || !isValidDigest(mount) ? undefined : context.store.get(from)?.blobs.get(mount);
    if (blob !== undefined) {
      context.store.linkBlob(name, mount, blob);
      return blobCreated(context, name, mount);
    }
    return openSession(context, name);
  }
  const digest = query.get('digest');
  if (digest !== null && context.profile.monolithicPost === true) {
    const checked = requestedDigest(context);
    if (typeof checked !== 'string') return checked;
    return commit(context, name, checked, context.body ?? new Uint8Array(0));
  }
  // 2.8 has no single-request upload: the body is ignored and a session opened.
  return openSession(context, name);
}

/**
 * Finds the session a request names and checks its `_state` as 2.8 does:
 * an unknown session is `BLOB_UPLOAD_UNKNOWN`; a missing or foreign state,
 * or one whose offset is not the session's (a stale `Location`), is
 * `BLOB_UPLOAD_INVALID`.
 */
function resume(context: ApiContext, name: string, uuid: string): UploadSession | DraftResponse {
  const state = unpackState(context.url.searchParams.get('_state'));
  if (state === undefined || state.name !== name || state.uuid !== uuid)
    return errorDraft([ociError('BLOB_UPLOAD_INVALID', { detail: 'invalid upload state' })]);
  const session = context.store.uploads.get(uuid);
  if (session === undefined || session.name !== name) return errorDraft([ociError('BLOB_UPLOAD_UNKNOWN')]);
  if (state.offset !== session.size) return errorDraft([ociError('BLOB_UPLOAD_INVALID', { detail: 'stale upload state' })]);
  return session;
}

/** Parses `Content-Range: <start>-<end>` (inclusive), as the OCI spec writes it. */
function contentRange(value: string): { start: number; end: number } | undefined {
  const match = /^(?:bytes[ =])?(\d+)-(\d+)$/.exec(value.trim());
  if (!match) return undefined;
  return { start: Number(match[1]), end: Number(match[2]) };
}

function rangeInvalid(context: ApiContext, session: UploadSession): DraftResponse {
  return errorDraft([ociError('RANGE_INVALID')], sessionHeaders(context, session));
}

function appendChunk(context: ApiContext, session: UploadSession, final: boolean): DraftResponse | undefined {
  const body = context.body ?? new Uint8Array(0);
  const header = context.headers.get('content-range');
  if (context.profile.uploadContentRange === 'checked' && header !== null && body.length > 0) {
    const range = contentRange(header);
    if (range === undefined || range.start !== session.size || range.end - range.start + 1 !== body.length)
      return rangeInvalid(context, session);
  }
  const minimum = context.profile.chunkMinLength;
  if (!final && minimum !== undefined && body.length < minimum) return rangeInvalid(context, session);
  if (body.length > 0) {
    session.chunks.push(body);
    session.size += body.length;
  }
  return undefined;
}

/** PATCH, PUT, GET and DELETE on an open session. */
function onSession(context: ApiContext, name: string, uuid: string): DraftResponse {
  const found = resume(context, name, uuid);
  if (!('uuid' in found)) return found;
  const session = found;
  switch (context.method) {
    case 'GET':
    case 'HEAD':
      // A 204 carries no Content-Length in Go's server.
      return emptyDraft(204, sessionHeaders(context, session));
    case 'PATCH': {
      const contentType = context.headers.get('content-type');
      if (contentType !== null && contentType !== '' && contentType !== 'application/octet-stream')
        return errorDraft([ociError('UNKNOWN', { detail: {} })]);
      const refused = appendChunk(context, session, false);
      if (refused !== undefined) return refused;
      return emptyDraft(202, { ...sessionHeaders(context, session), 'Content-Length': '0' });
    }
    case 'PUT': {
      const digest = requestedDigest(context);
      if (typeof digest !== 'string') return digest;
      const refused = appendChunk(context, session, true);
      if (refused !== undefined) return refused;
      const committed = commit(context, name, digest, concat(session.chunks, session.size));
      // A refused commit leaves 2.8's session in place, holding the bytes the PUT added, so the
      // Location the client used is stale afterwards (BLOB_UPLOAD_INVALID) until it cancels.
      if (committed.status === 201) context.store.uploads.delete(session.uuid);
      return committed;
    }
    case 'DELETE':
      context.store.uploads.delete(session.uuid);
      return emptyDraft(204, {});
    default:
      return methodNotAllowed(['DELETE', 'GET', 'HEAD', 'PATCH', 'PUT']);
  }
}

/**
 * `/v2/<name>/blobs/uploads/[<uuid>]`: blob pushes as distribution 2.8
 * takes them (sessions with a changing `_state`, chunks appended whatever
 * their `Content-Range`, a closing PUT with `?digest=`, mounts), or as the
 * OCI spec adds where the profile says so (single-POST uploads, 416 for a
 * chunk out of order, `OCI-Chunk-Min-Length`).
 */
export function uploadsEndpoint(context: ApiContext, name: string, uuid: string | undefined): DraftResponse {
  if (uuid === undefined) {
    if (context.method === 'POST') return startUpload(context, name);
    return methodNotAllowed(['POST']);
  }
  return onSession(context, name, uuid);
}
