import { Registry } from '@regkit/core';
import { createFakeRegistry, createHandlerTransport, type FakeRegistry } from '@regkit/testing';
import { describe, expect, it } from 'vitest';
import { createTokenAuthenticator } from './token-authenticator';

function tagsOf(fake: FakeRegistry, repository: string): string[] {
  const tags = fake.tags(repository);
  if (tags === undefined) throw new Error(`no repository ${repository} in the fake registry`);
  return tags;
}

function coldClient() {
  const fake = createFakeRegistry({ auth: 'token', fixtures: false });
  fake.putTags('team/many', 40);
  fake.putTags('team/other', 10);
  const client = new Registry({
    domain: 'registry.fake.test',
    transport: createHandlerTransport(fake),
    authenticator: createTokenAuthenticator(),
  });
  return { fake, client };
}

describe('a cold burst of concurrent requests', () => {
  it('takes one challenge and one token, the protocol minimum', async () => {
    const { fake, client } = coldClient();
    const outcomes = await client.repository('team/many').images().resolveAll(tagsOf(fake, 'team/many'), { concurrency: 8 });
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    expect(fake.tokenCalls).toHaveLength(1);
    expect(fake.calls.filter((call) => call.status === 401)).toHaveLength(1);
    expect(fake.calls).toHaveLength(41);
  });

  it('pays one challenge per repository, since a token opens only its own scope', async () => {
    const { fake, client } = coldClient();
    const [many, other] = await Promise.all([
      client.repository('team/many').images().resolveAll(tagsOf(fake, 'team/many'), { concurrency: 8 }),
      client.repository('team/other').images().resolveAll(tagsOf(fake, 'team/other'), { concurrency: 8 }),
    ]);
    expect([...(many ?? []), ...(other ?? [])].every((outcome) => outcome.ok)).toBe(true);
    expect(fake.tokenCalls.map((call) => call.scopes).sort()).toEqual([
      ['repository:team/many:pull'],
      ['repository:team/other:pull'],
    ]);
    expect(fake.calls.filter((call) => call.status === 401)).toHaveLength(2);
  });

  it('lets every waiter fail on its own when the token service refuses', async () => {
    const fake = createFakeRegistry({
      auth: 'token',
      fixtures: false,
      privateRepositories: ['team/*'],
      users: [{ username: 'dev', password: 'pw', access: {} }],
    });
    fake.putTags('team/many', 8);
    const client = new Registry({
      domain: 'registry.fake.test',
      transport: createHandlerTransport(fake),
      authenticator: createTokenAuthenticator({ username: 'dev', password: 'wrong' }),
    });
    const outcomes = await client.repository('team/many').images().resolveAll(tagsOf(fake, 'team/many'), { concurrency: 8 });
    expect(outcomes.map((outcome) => outcome.ok)).toEqual(Array(8).fill(false));
  });
});
