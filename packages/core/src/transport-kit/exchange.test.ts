import { describe, expect, it } from 'vitest';
import { NetworkError } from '../errors/network-errors';
import { TimeoutError, TransportError } from '../errors/transport-errors';
import type { TransportRequest } from '../transport';
import { type DispatchContext, exchange, type LibraryResponse } from './exchange';

const GET: TransportRequest = { method: 'GET', url: 'http://127.0.0.1:5000/v2/?n=1', headers: {} };
const ok = (body: unknown = new Uint8Array([1, 2])): LibraryResponse => ({ status: 200, headers: { 'X-A': ['1', '2'] }, body });

describe('exchange', () => {
  it('rejects with signal.reason before dispatching when already aborted', async () => {
    const reason = new Error('stop');
    let dispatched = false;
    const outcome = exchange(GET, { signal: AbortSignal.abort(reason) }, { source: 'test' }, async () => {
      dispatched = true;
      return ok();
    });
    await expect(outcome).rejects.toBe(reason);
    expect(dispatched).toBe(false);
  });

  it('hands the library the checked URL and finishes its answer: joined headers, request URL, bridged body', async () => {
    let seen: DispatchContext | undefined;
    const response = await exchange(GET, undefined, { source: 'test' }, async (context) => {
      seen = context;
      return ok();
    });
    expect(seen?.url.href).toBe(GET.url);
    expect(response).toMatchObject({ status: 200, url: GET.url, headers: { 'x-a': '1, 2' } });
    expect(new Uint8Array(await new Response(response.body).arrayBuffer())).toEqual(new Uint8Array([1, 2]));
  });

  it('gives HEAD a null body and discards the library’s', async () => {
    const discarded: unknown[] = [];
    const body = new Uint8Array([9]);
    const response = await exchange(
      { ...GET, method: 'HEAD' },
      {},
      { source: 'test', discard: (b) => discarded.push(b) },
      async () => ok(body),
    );
    expect(response.body).toBeNull();
    expect(discarded).toEqual([body]);
  });

  it('maps what the library throws, passing regkit errors through', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const mapped = await exchange(GET, {}, { source: 'test' }, () => Promise.reject(refused)).catch((e: unknown) => e);
    expect(NetworkError.isInstance(mapped)).toBe(true);
    expect((mapped as Error).message).toMatch(/^test: GET http:\/\/127\.0\.0\.1:5000\/v2\/\?n=1 failed: connect ECONNREFUSED/);
    const own = new TransportError('mine');
    await expect(exchange(GET, {}, { source: 'test' }, () => Promise.reject(own))).rejects.toBe(own);
  });

  it('times the headers on its own timer and reports the time waited', async () => {
    const error = await exchange(GET, {}, { source: 'test', headersTimeoutMs: 40 }, ({ signal }) => {
      return new Promise<LibraryResponse>((_, reject) => {
        // A library that rejects an abort with its own AbortError: the kit's TimeoutError still wins.
        signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      });
    }).catch((e: unknown) => e);
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ phase: 'headers', timeoutMs: 40 });
    expect((error as TimeoutError).waitedMs).toBeGreaterThanOrEqual(39);
  });

  it('cancels a stream request body when the request fails', async () => {
    let cancelled: unknown;
    const body = new ReadableStream<Uint8Array>({
      cancel(reason) {
        cancelled = reason;
      },
    });
    const failure = await exchange({ ...GET, method: 'PUT', body }, {}, { source: 'test' }, () =>
      Promise.reject(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })),
    ).catch((e: unknown) => e);
    expect(NetworkError.isInstance(failure)).toBe(true);
    expect(cancelled).toBe(failure);
  });

  it('uses mapError instead of the network mapping when given', async () => {
    const replaced = new Error('replaced');
    const outcome = exchange(GET, {}, { source: 'test', mapError: () => replaced }, () => Promise.reject(new Error('raw')));
    await expect(outcome).rejects.toBe(replaced);
  });
});
