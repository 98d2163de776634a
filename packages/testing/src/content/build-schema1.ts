import { toBase64Url } from '../base64';
import { createSha256 } from '../portable-crypto';
import { blob } from './build-image';
import { sha256Digest } from './digest';
import { MEDIA_TYPES } from './media-types';
import { createTar, gzipStored } from './tar-gzip';
import type { BuiltSchema1 } from './types';

/** Options for {@link buildSchema1}. */
export interface BuildSchema1Options {
  /** Repository name written into the manifest. */
  readonly name: string;
  /** Tag written into the manifest. */
  readonly tag: string;
  /** Architecture. Default `amd64`. */
  readonly architecture?: string;
  /**
   * Signed (`v1+prettyjws`, default, what registries serve) or unsigned
   * (`v1+json`).
   */
  readonly signed?: boolean;
}

const encoder = new TextEncoder();

function base64url(bytes: Uint8Array | string): string {
  return toBase64Url(bytes);
}

/** Stand-in key and signature bytes, derived from the payload so the output is reproducible. */
function pseudoBytes(seed: string, label: string, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let offset = 0, round = 0; offset < length; offset += 32, round += 1) {
    out.set(
      createSha256()
        .update(`${label}:${round}:${seed}`)
        .digest()
        .subarray(0, length - offset),
      offset,
    );
  }
  return out;
}

/**
 * Builds a schema 1 manifest with one layer. A signed one is laid out as
 * libtrust writes a JWS: the pretty-printed payload with a `signatures` array
 * spliced in before the closing brace, and a protected header recording
 * `formatLength`/`formatTail` so the payload can be cut back out. Its
 * registry digest is sha256 of that payload, not of the served bytes, which
 * is the quirk clients must handle. The key and signature are stand-in bytes: nothing
 * verifies schema 1 signatures any more, and the fake does not pretend to.
 */
export function buildSchema1(options: BuildSchema1Options): BuiltSchema1 {
  const architecture = options.architecture ?? 'amd64';
  const tar = createTar([
    { path: 'regkit/schema1.txt', content: encoder.encode(`regkit schema1 layer for ${options.name}:${options.tag}\n`) },
  ]);
  const layer = blob(gzipStored(tar), MEDIA_TYPES.dockerLayer);
  const v1Compatibility = JSON.stringify({
    id: sha256Digest(`${options.name}:${options.tag}`).slice('sha256:'.length),
    created: '2016-01-01T00:00:00Z',
    architecture,
    os: 'linux',
    container_config: { Cmd: ['/bin/sh'] },
  });
  const payloadObject = {
    schemaVersion: 1,
    name: options.name,
    tag: options.tag,
    architecture,
    fsLayers: [{ blobSum: layer.digest }],
    history: [{ v1Compatibility }],
  };
  const payload = JSON.stringify(payloadObject, null, 3);
  if (options.signed === false) {
    const bytes = encoder.encode(payload);
    return {
      kind: 'schema1',
      ...blob(bytes, MEDIA_TYPES.dockerSchema1),
      bodyDigest: sha256Digest(bytes),
      layers: [layer],
      blobs: [layer],
    };
  }
  const formatLength = payload.lastIndexOf('\n}');
  const formatTail = payload.slice(formatLength);
  const protectedHeader = base64url(
    JSON.stringify({ formatLength, formatTail: base64url(formatTail), time: '2016-01-01T00:00:00Z' }),
  );
  const signature = {
    header: {
      jwk: {
        crv: 'P-256',
        kid: 'REGK:ITTE:STIN:GFAK:ESIG:NATU:REXX:XXXX:XXXX:XXXX:XXXX:XXXX',
        kty: 'EC',
        x: base64url(pseudoBytes(payload, 'x', 32)),
        y: base64url(pseudoBytes(payload, 'y', 32)),
      },
      alg: 'ES256',
    },
    signature: base64url(pseudoBytes(payload, 'signature', 64)),
    protected: protectedHeader,
  };
  const signatures = JSON.stringify([signature], null, 3).replace(/\n/g, '\n   ');
  const signed = `${payload.slice(0, formatLength)},\n   "signatures": ${signatures}${formatTail}`;
  const bytes = encoder.encode(signed);
  return {
    kind: 'schema1',
    digest: sha256Digest(payload),
    size: bytes.length,
    mediaType: MEDIA_TYPES.dockerSchema1Signed,
    bytes,
    bodyDigest: sha256Digest(bytes),
    layers: [layer],
    blobs: [layer],
  };
}
