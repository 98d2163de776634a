import { concatBytes } from '../bytes';
import { crc32 } from './crc32';

/** One regular file inside a generated layer. */
export interface LayerFile {
  /** Path inside the archive, without a leading `/`. */
  readonly path: string;
  /** File content. */
  readonly content: Uint8Array;
}

const BLOCK = 512;
const encoder = new TextEncoder();

function writeString(target: Uint8Array, offset: number, length: number, value: string): void {
  const bytes = encoder.encode(value);
  if (bytes.length > length) throw new Error(`[@regkit/testing] tar field too long: ${value}`);
  target.set(bytes, offset);
}

function writeOctal(target: Uint8Array, offset: number, length: number, value: number): void {
  writeString(target, offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
}

function tarHeader(file: LayerFile): Uint8Array {
  const header = new Uint8Array(BLOCK);
  writeString(header, 0, 100, file.path);
  writeOctal(header, 100, 8, 0o644);
  writeOctal(header, 108, 8, 0);
  writeOctal(header, 116, 8, 0);
  writeOctal(header, 124, 12, file.content.length);
  // mtime 0: layers must be byte-for-byte reproducible so digests are stable.
  writeOctal(header, 136, 12, 0);
  header.fill(0x20, 148, 156);
  header[156] = 0x30; // '0': regular file
  writeString(header, 257, 6, 'ustar\0');
  writeString(header, 263, 2, '00');
  let sum = 0;
  for (const byte of header) sum += byte;
  writeString(header, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return header;
}

/** A POSIX ustar archive of `files`, deterministic for the same input. */
export function createTar(files: readonly LayerFile[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const file of files) {
    parts.push(tarHeader(file), file.content);
    const padding = (BLOCK - (file.content.length % BLOCK)) % BLOCK;
    if (padding > 0) parts.push(new Uint8Array(padding));
  }
  parts.push(new Uint8Array(BLOCK * 2));
  return concatBytes(parts);
}

const MAX_STORED_BLOCK = 0xffff;

/**
 * Wraps `data` in a gzip member made of deflate "stored" blocks. Real zlib
 * output varies between zlib versions; stored blocks do not, so fixture
 * digests are the same on every machine while the layer stays a valid
 * `.tar.gz` that any gunzip reads.
 */
export function gzipStored(data: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [Uint8Array.of(0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff)];
  let offset = 0;
  do {
    const length = Math.min(MAX_STORED_BLOCK, data.length - offset);
    const final = offset + length >= data.length;
    const head = new Uint8Array(5);
    head[0] = final ? 1 : 0;
    new DataView(head.buffer).setUint16(1, length, true);
    new DataView(head.buffer).setUint16(3, ~length & 0xffff, true);
    parts.push(head, data.subarray(offset, offset + length));
    offset += length;
  } while (offset < data.length);
  const trailer = new Uint8Array(8);
  new DataView(trailer.buffer).setUint32(0, crc32(data) >>> 0, true);
  new DataView(trailer.buffer).setUint32(4, data.length >>> 0, true);
  parts.push(trailer);
  return concatBytes(parts);
}
