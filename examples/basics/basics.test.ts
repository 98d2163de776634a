/** The examples, run against the simulated registry from @regkit/testing. */
import { createFakeRegistry, FIXTURES } from '@regkit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatImage, inspectImage } from './inspect-image';
import { listTags } from './list-tags';

const fake = createFakeRegistry({ auth: 'token' });
let server: Awaited<ReturnType<typeof fake.listen>>;
let host: string;

beforeAll(async () => {
  fake.putTags('library/golang', 250);
  server = await fake.listen();
  host = new URL(server.origin).host;
});
afterAll(() => server.close());

describe('inspect-image', () => {
  it('shows the digest and every platform of a multi-arch image', async () => {
    const image = await inspectImage(`${host}/library/golang:1.12.0`);
    expect(image.digest).toBe(FIXTURES.golang.digest);
    const text = formatImage(image);
    expect(text).toContain('linux/arm64/v8');
    expect(text.split('\n')).toHaveLength(1 + image.platforms.length);
  });
});

describe('list-tags', () => {
  it('lists every tag across pages', async () => {
    const tags: string[] = [];
    for await (const tag of listTags(`${host}/library/golang`, { pageSize: 40 })) tags.push(tag);
    expect(tags).toContain('1.12.0');
    expect(new Set(tags).size).toBe(tags.length);
    expect(tags).toHaveLength(fake.tags('library/golang')?.length ?? -1);
    expect(tags.length).toBeGreaterThan(250);
  });
});
