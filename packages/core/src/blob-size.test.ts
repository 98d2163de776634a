import { describe, expect, it } from 'vitest';
import { InvalidOptionError, RegistryProtocolError, TransportError } from './errors';
import { Registry } from './registry';
import { rejectionOf, sha256 } from './test-support';
import type { HeaderMap, Transport, TransportRequest, TransportResponse } from './transport';

const CONTENT = new TextEncoder().encode('0123456789abcdef'); // 16 bytes
const DIGEST = sha256(CONTENT);
const CHUNK = 4;

interface Served {
  /** Bytes the source stream handed out. */
  pulled: number;
  /** Whether the client cancelled the source. */
  cancelled: boolean;
  readonly requests: TransportRequest[];
}

/**
 * A transport serving one blob as `body(range)` bytes in 4-byte chunks,
 * endlessly when `endless`, so the test sees how far the client reads.
 */
function blobTransport(options: {
  readonly bytes: Uint8Array;
  readonly endless?: boolean;
  readonly headers?: HeaderMap;
  readonly failAfter?: number;
}): { transport: Transport; served: Served } {
  const served: Served = { pulled: 0, cancelled: false, requests: [] };
  const transport: Transport = {
    specificationVersion: 'v1',
    name: 'blob-test',
    async send(request): Promise<TransportResponse> {
      served.requests.push(request);
      const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
      const start = range ? Number(range[1]) : 0;
      let offset = start;
      let pulledHere = 0;
      const body = new ReadableStream<Uint8Array>(
        {
          pull(controller) {
            if (!range && options.failAfter !== undefined && pulledHere >= options.failAfter) {
              controller.error(new TransportError('connection reset'));
              return;
            }
            if (!options.endless && offset >= options.bytes.byteLength) {
              controller.close();
              return;
            }
            const chunk = options.endless
              ? new Uint8Array(CHUNK).fill(120)
              : options.bytes.subarray(offset, Math.min(offset + CHUNK, options.bytes.byteLength));
            offset += chunk.byteLength;
            pulledHere += chunk.byteLength;
            served.pulled += chunk.byteLength;
            controller.enqueue(chunk);
          },
          cancel() {
            served.cancelled = true;
          },
        },
        { highWaterMark: 0 },
      );
      const headers: HeaderMap = range
        ? { 'content-range': `bytes ${start}-${options.bytes.byteLength - 1}/${options.bytes.byteLength}` }
        : { 'accept-ranges': 'bytes', ...options.headers };
      return { status: range ? 206 : 200, headers, url: request.url, body };
    },
  };
  return { transport, served };
}

function repository(transport: Transport) {
  return new Registry({ domain: '127.0.0.1:5999', transport, retry: { limit: 0 } }).repository('app');
}

/** Reads a body to its end, counting bytes; `onChunk` sees each delivered chunk. */
async function drain(body: ReadableStream<Uint8Array>, onChunk: (chunk: Uint8Array) => void = () => {}): Promise<number> {
  const reader = body.getReader();
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return length;
    length += value.byteLength;
    onChunk(value);
  }
}

describe('blobs().get() with a known size', () => {
  it('stops an endless chunked body one chunk past the size and cancels the source', async () => {
    const { transport, served } = blobTransport({ bytes: CONTENT, endless: true });
    const download = await repository(transport).blobs().get(DIGEST, { size: 16 });
    const error = await rejectionOf(drain(download.body));
    expect(RegistryProtocolError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('16 bytes');
    expect(served.pulled).toBeLessThanOrEqual(16 + CHUNK);
    expect(served.cancelled).toBe(true);
  });

  it('does not hand out the chunk that crosses the size', async () => {
    const longer = new Uint8Array([...CONTENT, 1, 2]);
    const { transport } = blobTransport({ bytes: longer });
    const download = await repository(transport).blobs().get(DIGEST, { size: 16 });
    let delivered = 0;
    const error = await rejectionOf(drain(download.body, (chunk) => (delivered += chunk.byteLength)));
    expect(RegistryProtocolError.isInstance(error)).toBe(true);
    expect(delivered).toBe(16);
  });

  it('fails a shorter body at its end, before the digest check', async () => {
    const { transport } = blobTransport({ bytes: CONTENT.subarray(0, 10) });
    const download = await repository(transport).blobs().get(DIGEST, { size: 16 });
    const error = await rejectionOf(drain(download.body));
    expect(RegistryProtocolError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('10 of 16');
  });

  it('refuses a Content-Length that contradicts the known size before reading', async () => {
    const { transport, served } = blobTransport({ bytes: CONTENT, headers: { 'content-length': '99' } });
    const error = await rejectionOf(repository(transport).blobs().get(DIGEST, { size: 16 }));
    expect(RegistryProtocolError.isInstance(error)).toBe(true);
    expect(served.pulled).toBe(0);
  });

  it('reads the exact size, and keeps the bound across a resumed download', async () => {
    const { transport, served } = blobTransport({ bytes: CONTENT, failAfter: 8 });
    const download = await repository(transport).blobs().get(DIGEST, { size: 16 });
    expect(download.size).toBe(16);
    expect(await drain(download.body)).toBe(16);
    expect(served.requests.map((request) => request.headers.range)).toEqual([undefined, 'bytes=8-']);
  });

  it('refuses a size that is not a non-negative integer', async () => {
    const { transport } = blobTransport({ bytes: CONTENT });
    for (const size of [-1, 1.5, '16']) {
      const error = await rejectionOf(
        repository(transport)
          .blobs()
          .get(DIGEST, { size: size as number }),
      );
      expect(InvalidOptionError.isInstance(error)).toBe(true);
    }
  });
});

describe('blobs().getBytes() with a known size', () => {
  it('stops a longer (endless) body at the size', async () => {
    const { transport, served } = blobTransport({ bytes: CONTENT, endless: true });
    const error = await rejectionOf(repository(transport).blobs().getBytes(DIGEST, { size: 16 }));
    expect(RegistryProtocolError.isInstance(error)).toBe(true);
    expect(served.pulled).toBeLessThanOrEqual(16 + CHUNK);
  });

  it('refuses a shorter body, and reads the exact one', async () => {
    const short = blobTransport({ bytes: CONTENT.subarray(0, 12) });
    const error = await rejectionOf(repository(short.transport).blobs().getBytes(DIGEST, { size: 16 }));
    expect(RegistryProtocolError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('12 of 16');
    const exact = blobTransport({ bytes: CONTENT });
    expect(await repository(exact.transport).blobs().getBytes(DIGEST, { size: 16 })).toEqual(CONTENT);
  });
});
