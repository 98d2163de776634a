import { HttpResponse, http } from 'msw';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InvalidOptionError, ServerError, TooManyRequestsError } from '../errors';
import { parseRateLimit } from '../rate-limit';
import { Registry } from '../registry';
import { mswServer, ORIGIN, rejectionOf } from '../test-support';
import { backoffDelay, DEFAULT_RETRY_POLICY, HostBackoff, resolveRetryPolicy } from './retry-policy';

const server = mswServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const fast = { initialDelayMs: 1, maxDelayMs: 5 };

describe('retries', () => {
  it('repeats a GET after 503 and succeeds', async () => {
    let calls = 0;
    server.use(
      http.get(`${ORIGIN}/v2/app/tags/list`, () => {
        calls++;
        return calls < 3 ? new HttpResponse('busy', { status: 503 }) : HttpResponse.json({ tags: ['a'] });
      }),
    );
    const registry = new Registry({ domain: 'registry.test', retry: fast });
    expect(await registry.repository('app').tags().getAll()).toEqual(['a']);
    expect(calls).toBe(3);
  });

  it('stops after the limit and surfaces the last error', async () => {
    let calls = 0;
    server.use(
      http.get(`${ORIGIN}/v2/app/tags/list`, () => {
        calls++;
        return new HttpResponse('busy', { status: 502 });
      }),
    );
    const error = await rejectionOf(
      new Registry({ domain: 'registry.test', retry: { ...fast, limit: 1 } }).repository('app').tags().getAll(),
    );
    expect(ServerError.isInstance(error)).toBe(true);
    expect(calls).toBe(2);
  });

  it('never repeats a DELETE', async () => {
    let calls = 0;
    server.use(
      http.delete(`${ORIGIN}/v2/app/manifests/*`, () => {
        calls++;
        return new HttpResponse('busy', { status: 503 });
      }),
    );
    const registry = new Registry({ domain: 'registry.test', retry: fast });
    await rejectionOf(
      registry
        .repository('app')
        .images()
        .deleteByDigest(`sha256:${'a'.repeat(64)}`),
    );
    expect(calls).toBe(1);
  });

  it('waits for Retry-After and reports the rate-limit budget', async () => {
    const times: number[] = [];
    server.use(
      http.get(`${ORIGIN}/v2/app/tags/list`, () => {
        times.push(Date.now());
        if (times.length === 1) {
          return HttpResponse.json(
            { errors: [{ code: 'TOOMANYREQUESTS', message: 'You have reached your pull rate limit.' }] },
            {
              status: 429,
              headers: { 'retry-after': '1', 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '0;w=21600' },
            },
          );
        }
        return HttpResponse.json(
          { tags: ['a'] },
          {
            headers: {
              'ratelimit-limit': '100;w=21600',
              'ratelimit-remaining': '99;w=21600',
              'docker-ratelimit-source': '203.0.113.1',
            },
          },
        );
      }),
    );
    const registry = new Registry({ domain: 'registry.test' });
    expect(await registry.repository('app').tags().getAll()).toEqual(['a']);
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(950);
    expect(registry.rateLimit).toMatchObject({ limit: 100, remaining: 99, windowSeconds: 21600, source: '203.0.113.1' });
  });

  it('fails at once when Retry-After exceeds the cap, carrying the budget', async () => {
    let calls = 0;
    server.use(
      http.get(`${ORIGIN}/v2/app/tags/list`, () => {
        calls++;
        return HttpResponse.json(
          { errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] },
          {
            status: 429,
            headers: { 'retry-after': '3600', 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '0;w=21600' },
          },
        );
      }),
    );
    const error = await rejectionOf(new Registry({ domain: 'registry.test' }).repository('app').tags().getAll());
    expect(TooManyRequestsError.isInstance(error)).toBe(true);
    expect((error as TooManyRequestsError).retryAfterMs).toBe(3_600_000);
    expect((error as TooManyRequestsError).rateLimit).toMatchObject({ limit: 100, remaining: 0 });
    expect(calls).toBe(1);
  });

  it('aborts a retry wait at once', async () => {
    server.use(
      http.get(`${ORIGIN}/v2/app/tags/list`, () => new HttpResponse(null, { status: 429, headers: { 'retry-after': '30' } })),
    );
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new Error('cancelled')), 100);
    const error = await rejectionOf(
      new Registry({ domain: 'registry.test' }).repository('app').tags().getAll({ signal: controller.signal }),
    );
    expect((error as Error).message).toBe('cancelled');
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('retry policy data', () => {
  it('validates overrides', () => {
    expect(resolveRetryPolicy({ limit: 0 }).limit).toBe(0);
    expect(() => resolveRetryPolicy({ limit: -1 })).toThrow(InvalidOptionError);
    expect(() => new Registry({ domain: 'x.test', retry: { initialDelayMs: 1.5 } })).toThrow(InvalidOptionError);
  });

  it('backs off exponentially with full jitter under the cap', () => {
    expect(backoffDelay(DEFAULT_RETRY_POLICY, 0, () => 1)).toBe(250);
    expect(backoffDelay(DEFAULT_RETRY_POLICY, 3, () => 1)).toBe(2000);
    expect(backoffDelay(DEFAULT_RETRY_POLICY, 20, () => 1)).toBe(10_000);
    expect(backoffDelay(DEFAULT_RETRY_POLICY, 3, () => 0)).toBe(0);
  });

  it('shares one pause per host', () => {
    let now = 1_000;
    const backoff = new HostBackoff(() => now);
    backoff.pause('https://a.test', 2_000);
    backoff.pause('https://a.test', 500);
    expect(backoff.remaining('https://a.test')).toBe(2_000);
    expect(backoff.remaining('https://b.test')).toBe(0);
    now += 2_500;
    expect(backoff.remaining('https://a.test')).toBe(0);
  });
});

describe('parseRateLimit', () => {
  it('reads Docker Hub headers and ignores malformed ones', () => {
    expect(parseRateLimit({ 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '20;w=21600' }, 5)).toEqual({
      limit: 100,
      remaining: 20,
      windowSeconds: 21600,
      source: undefined,
      observedAt: 5,
    });
    expect(parseRateLimit({ 'ratelimit-limit': '100', 'ratelimit-remaining': '20' })?.windowSeconds).toBeUndefined();
    expect(parseRateLimit({ 'ratelimit-limit': 'lots', 'ratelimit-remaining': '20' })).toBeUndefined();
    expect(parseRateLimit({})).toBeUndefined();
  });
});
