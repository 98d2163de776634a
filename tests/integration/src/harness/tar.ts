import { gzipSync } from 'node:zlib';

/** One regular file for {@link createTarGzip}. */
export interface TarFile {
  readonly path: string;
  readonly content: string | Uint8Array;
}

const BLOCK = 512;

/**
 * A real, deterministic ustar archive, gzip-compressed: what a layer blob
 * holds. Fixed mtime/uid/gid so the same files always give the same digest.
 * Returns the uncompressed tar too, whose sha256 is the layer's `diff_id`.
 */
export function createTarGzip(files: readonly TarFile[]): { readonly tar: Uint8Array; readonly gzip: Uint8Array } {
  const blocks: Uint8Array[] = [];
  for (const file of files) {
    const content = typeof file.content === 'string' ? new TextEncoder().encode(file.content) : file.content;
    blocks.push(header(file.path, content.length), content, new Uint8Array(padding(content.length)));
  }
  blocks.push(new Uint8Array(2 * BLOCK)); // end-of-archive marker
  const tar = Uint8Array.from(Buffer.concat(blocks));
  return { tar, gzip: Uint8Array.from(gzipSync(tar, { level: 9 })) };
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

function header(path: string, size: number): Uint8Array {
  if (Buffer.byteLength(path) > 100) throw new RangeError(`tar path too long: ${path}`);
  const block = Buffer.alloc(BLOCK);
  const put = (offset: number, length: number, value: string) => block.write(value, offset, length, 'ascii');
  const octal = (offset: number, length: number, value: number) =>
    put(offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
  block.write(path, 0, 100, 'utf8');
  octal(100, 8, 0o644); // mode
  octal(108, 8, 0); // uid
  octal(116, 8, 0); // gid
  octal(124, 12, size);
  octal(136, 12, 1_550_000_000); // mtime, fixed for reproducible digests
  put(148, 8, '        '); // checksum is computed with this field as spaces
  put(156, 1, '0'); // regular file
  put(257, 6, 'ustar\0');
  put(263, 2, '00');
  let sum = 0;
  for (const byte of block) sum += byte;
  put(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return Uint8Array.from(block);
}
