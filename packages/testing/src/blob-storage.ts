import { serveBlob } from './api/blobs';
import { type DraftResponse, pageNotFound, textDraft } from './api/responses';
import { constantTimeEqual, hmacSha256Hex, randomBytes } from './portable-crypto';
import type { RegistryStore } from './registry-store';

const PATH = /^\/registry-v2\/docker\/registry\/v2\/blobs\/([a-z0-9]+)\/[a-f0-9]{2}\/([a-f0-9]+)\/data$/;

// S3's answer to a pre-signed URL that also carries Authorization: the
// failure clients meet when they forward the registry token to storage.
const TWO_AUTH_MECHANISMS =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed; ' +
  'only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified' +
  '</Message><ArgumentName>Authorization</ArgumentName></Error>';

/** What one storage request got, plus why it was refused. */
export interface StorageAnswer {
  readonly draft: DraftResponse;
  readonly explanation: string | undefined;
}

/**
 * The storage host behind blob redirects (Docker Hub's Cloudflare CDN, S3
 * behind distribution). Redirect targets are pre-signed URLs: the path names
 * the digest as distribution lays blobs out, and `verify` signs it. Requests
 * carrying `Authorization` are refused, as S3 refuses them, so a client that
 * forwards registry credentials across the redirect fails loudly.
 */
export class BlobStorage {
  readonly #store: RegistryStore;
  readonly #secret = randomBytes(16);

  constructor(store: RegistryStore) {
    this.#store = store;
  }

  #sign(path: string, expires: number): string {
    return hmacSha256Hex(this.#secret, `${path}:${expires}`).slice(0, 32);
  }

  /** The pre-signed URL for a blob on the storage origin `origin`. */
  location(origin: string, digest: string): string {
    const colon = digest.indexOf(':');
    const algorithm = digest.slice(0, colon);
    const hex = digest.slice(colon + 1);
    const path = `/registry-v2/docker/registry/v2/blobs/${algorithm}/${hex.slice(0, 2)}/${hex}/data`;
    // Hub's links live for about 20 minutes; the fake signs the expiry but never enforces it.
    const expires = Math.floor(Date.now() / 1000) + 1200;
    return `${origin}${path}?verify=${expires}-${this.#sign(path, expires)}`;
  }

  /** Serves GET/HEAD of a signed blob URL. */
  handle(request: Request, url: URL): StorageAnswer {
    if (request.headers.has('authorization')) {
      return {
        draft: textDraft(400, TWO_AUTH_MECHANISMS, { 'Content-Type': 'application/xml' }),
        explanation:
          'blob storage refused a request carrying Authorization: registry credentials must not follow a redirect to storage',
      };
    }
    const match = PATH.exec(url.pathname);
    if (match === null) return { draft: pageNotFound(), explanation: `no blob storage path ${url.pathname}` };
    const [, algorithm = '', hex = ''] = match;
    const [expires = '', signature = ''] = (url.searchParams.get('verify') ?? '').split('-');
    const expected = this.#sign(url.pathname, Number(expires));
    const encoder = new TextEncoder();
    if (!constantTimeEqual(encoder.encode(signature), encoder.encode(expected))) {
      return {
        draft: textDraft(403, 'signature verification failed'),
        explanation: 'blob storage URL signature does not match: use the redirect Location verbatim',
      };
    }
    const method = request.method.toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') return { draft: textDraft(405, 'method not allowed'), explanation: undefined };
    const digest = `${algorithm}:${hex}`;
    const blob = this.#store.findBlob(digest);
    if (blob === undefined) return { draft: textDraft(404, 'not found'), explanation: `no blob ${digest} in any repository` };
    const etag = `"${hex.slice(0, 32)}"`;
    return {
      draft: serveBlob(
        method,
        request.headers,
        blob,
        {
          'Accept-Ranges': 'bytes',
          'Content-Type': 'application/octet-stream',
          Etag: etag,
          'Cache-Control': 'public, max-age=14400',
        },
        etag,
      ),
      explanation: undefined,
    };
  }
}
