import { expect, it } from 'vitest';
import { expectCatalogHoldsSeed } from './catalog-expectations';
import { basicAuthorization, describeWithRegistries, PushClient, seedPlan } from './harness';

describeWithRegistries('harness registries', (harness) => {
  const { open, basic, token } = harness.registries;
  const admin = basic.users.find((user) => user.username === 'admin');
  if (admin === undefined) throw new Error('harness has no admin user');

  it('reports seeding time within budget and the same content as the local plan', () => {
    expect(harness.seed).toEqual(seedPlan().summary);
    // The brief's budget is 60 s on 2 cores; fail loudly if seeding regresses.
    expect(harness.timings.seedTotalMs).toBeLessThan(60_000);
  });

  it('runs every registry on a loopback port in 5000-5999 that fetch accepts', () => {
    for (const registry of [open, basic, token]) {
      expect(registry.origin).toBe(`http://127.0.0.1:${registry.port}`);
      expect(registry.port).toBeGreaterThanOrEqual(5000);
      expect(registry.port).toBeLessThanOrEqual(5999);
      expect([5060, 5061]).not.toContain(registry.port);
    }
  });

  it('open mode answers /v2/ with 200 and {}', async () => {
    const response = await fetch(`${open.origin}/v2/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
    expect(await response.json()).toEqual({});
  });

  it('basic mode challenges with Basic and accepts the htpasswd users', async () => {
    const anonymous = await fetch(`${basic.origin}/v2/`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="basic-realm"');
    for (const user of basic.users) {
      expect((await fetch(`${basic.origin}/v2/`, { headers: { authorization: basicAuthorization(user) } })).status).toBe(200);
    }
    const wrong = await fetch(`${basic.origin}/v2/`, {
      headers: { authorization: basicAuthorization({ username: 'admin', password: 'wrong' }) },
    });
    expect(wrong.status).toBe(401);
  });

  it('token mode challenges with Bearer pointing at the harness token server', async () => {
    const response = await fetch(`${token.origin}/v2/library/golang/tags/list`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer realm="${token.token?.realm}",service="${token.token?.service}",scope="repository:library/golang:pull"`,
    );
  });

  it('token mode accepts a token from the token server, and anonymous tokens pull public repositories', async () => {
    const tokenUrl = new URL(token.token?.realm ?? '');
    tokenUrl.searchParams.set('service', token.token?.service ?? '');
    tokenUrl.searchParams.set('scope', 'repository:library/golang:pull');
    const { token: anonymousToken } = (await (await fetch(tokenUrl)).json()) as { token: string };
    const tags = await fetch(`${token.origin}/v2/library/golang/tags/list`, {
      headers: { authorization: `Bearer ${anonymousToken}` },
    });
    expect(tags.status).toBe(200);
    expect(await tags.json()).toEqual({ name: 'library/golang', tags: ['1.12.0'] });
  });

  it('token mode keeps private/* from anonymous callers and the reader from pushing', async () => {
    const anonymous = new PushClient(token);
    const tokenUrl = new URL(token.token?.realm ?? '');
    tokenUrl.searchParams.set('service', token.token?.service ?? '');
    tokenUrl.searchParams.set('scope', 'repository:private/app:pull');
    const { token: anonymousToken } = (await (await fetch(tokenUrl)).json()) as { token: string };
    const denied = await fetch(`${token.origin}/v2/private/app/tags/list`, {
      headers: { authorization: `Bearer ${anonymousToken}` },
    });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect((await anonymous.send('GET', '/v2/private/app/tags/list')).status).toBe(401);

    const reader = token.users.find((user) => user.username === 'reader');
    if (reader === undefined) throw new Error('harness has no reader user');
    const readerClient = new PushClient(token, reader);
    const readerTags = await readerClient.send('GET', '/v2/private/app/tags/list', { scopes: ['repository:private/app:pull'] });
    expect(await readerTags.json()).toEqual({ name: 'private/app', tags: ['v1'] });
    const push = await readerClient.send('POST', '/v2/private/app/blobs/uploads/', {
      scopes: ['repository:private/app:pull,push'],
    });
    expect(push.status).toBe(401);
    expect(push.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });

  it('lists the whole catalog, paged by the registry', async () => {
    for (const registry of [open, basic, token]) {
      const client = new PushClient(registry, admin);
      const seen: string[] = [];
      let next: string | undefined = '/v2/_catalog?n=50';
      let pages = 0;
      while (next !== undefined) {
        const response = await client.send('GET', next, { scopes: ['registry:catalog:*'] });
        expect(response.status).toBe(200);
        seen.push(...((await response.json()) as { repositories: string[] }).repositories);
        next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '')?.[1];
        pages++;
      }
      expectCatalogHoldsSeed(seen, harness.seed.repositories);
      expect(pages).toBe(Math.ceil(seen.length / 50));
      expect(pages).toBeGreaterThanOrEqual(3);
    }
  });
});
