import { createTokenAuthenticator } from '@regkit/auth-token';
import { Registry, RegistryResponseError, type Transport, TransportError } from '@regkit/core';
import { createAxiosTransport } from '@regkit/transport-axios';
import { createUndiciTransport } from '@regkit/transport-undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AvailableHarness,
  BULK_REPOSITORY_COUNT,
  describeWithRegistries,
  type HarnessRegistryInfo,
  type RunningTinyproxy,
  startTinyproxy,
  tinyproxyAvailability,
} from '../harness';

/**
 * The read API against the real registry, through a real HTTP forward proxy
 * (tinyproxy), for the transports that take `httpProxy`. The proxy's own log
 * proves it carried the traffic: undici tunnels every request with CONNECT;
 * axios sends plain-HTTP targets to the proxy in absolute form.
 */

type TransportKind = 'undici' | 'axios';

function proxiedTransport(kind: TransportKind, httpProxy: string | { uri: string; token?: string }): Transport {
  return kind === 'undici' ? createUndiciTransport({ httpProxy }) : createAxiosTransport({ httpProxy });
}

/** What the proxy logs for a request to `registry` from this transport. */
function carried(kind: TransportKind, registry: HarnessRegistryInfo, line: string): boolean {
  return kind === 'undici' ? line.startsWith(`CONNECT ${registry.host} `) : line.startsWith(`GET ${registry.origin}/v2/`);
}

const tinyproxy = tinyproxyAvailability();
const describeWithProxy = tinyproxy.available ? describe : describe.skip;

describeWithRegistries('reading through an HTTP proxy (tinyproxy)', (harness: AvailableHarness) => {
  const { open, token } = harness.registries;
  const { golang, manyTags, singleApp } = harness.seed;
  const tokenServerPort = Number(new URL(token.token?.realm ?? 'http://127.0.0.1:1').port);

  describeWithProxy(tinyproxy.available ? 'tinyproxy' : `tinyproxy (skipped: ${tinyproxy.reason})`, () => {
    let proxy: RunningTinyproxy;
    beforeAll(async () => {
      proxy = await startTinyproxy({ connectPorts: [open.port, token.port, tokenServerPort] });
    });
    afterAll(async () => {
      await proxy?.stop();
    });

    for (const kind of ['undici', 'axios'] as const) {
      it(`${kind}: getByTag, getByDigest, manifests().get, tags().getAll, repositories() and a blob, open mode`, async () => {
        const before = (await proxy.requests()).length;
        const transport = proxiedTransport(kind, proxy.url);
        try {
          const registry = new Registry({ domain: open.host, transport });
          const repo = registry.repository('library/golang');

          const image = await repo.images().getByTag('1.12.0');
          expect(image.digest).toBe(golang.digest);
          expect(image.platforms.map((p) => `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`)).toEqual([
            'linux/amd64',
            'linux/arm64/v8',
            'windows/amd64',
          ]);
          expect((await repo.images().getByDigest(golang.digest)).digest).toBe(golang.digest);

          const platform = golang.platforms[0];
          const manifest = await repo.manifests().get(platform?.manifestDigest ?? '');
          expect(manifest.kind).toBe('image');

          const tags = await registry.repository('many/tags').tags().getAll({ pageSize: 500 });
          // The registry's order is its own; the set is what was seeded.
          expect([...tags].sort()).toEqual([...manyTags.tags].sort());

          const repositories = await registry.repositories();
          expect(repositories.length).toBeGreaterThanOrEqual(BULK_REPOSITORY_COUNT + 5);
          expect(repositories).toContain('library/golang');
          expect(new Set(repositories).size, 'no repository is listed twice').toBe(repositories.length);

          const config = await registry.repository('single/app').blobs().getBytes(singleApp.configDigest);
          expect(config.length).toBeGreaterThan(0);
        } finally {
          await transport.close?.();
        }
        const lines = (await proxy.requests()).slice(before);
        const mine = lines.filter((line) => carried(kind, open, line));
        expect(mine.length, `proxy log lines for ${kind}:\n${lines.join('\n')}`).toBeGreaterThan(0);
        if (kind === 'axios') {
          // tinyproxy logs the first request of each client connection (it relays the rest of a
          // kept-alive connection unparsed), so the first call of the test is there for sure.
          expect(mine[0]).toBe(`GET ${open.origin}/v2/library/golang/manifests/1.12.0 HTTP/1.1`);
        }
        // Nothing went around the proxy to another place.
        expect(lines.filter((line) => !carried(kind, open, line))).toEqual([]);
      });

      it(`${kind}: token mode, the token request through the proxy too`, async () => {
        const before = (await proxy.requests()).length;
        const transport = proxiedTransport(kind, proxy.url);
        try {
          const registry = new Registry({ domain: token.host, transport, authenticator: createTokenAuthenticator() });
          const image = await registry.repository('library/golang').images().getByTag('1.12.0');
          expect(image.digest).toBe(golang.digest);
        } finally {
          await transport.close?.();
        }
        const lines = (await proxy.requests()).slice(before);
        const tokenServer = `127.0.0.1:${tokenServerPort}`;
        const toTokenServer =
          kind === 'undici'
            ? lines.filter((line) => line.startsWith(`CONNECT ${tokenServer} `))
            : lines.filter((line) => line.startsWith(`GET http://${tokenServer}/`));
        expect(toTokenServer.length, lines.join('\n')).toBeGreaterThan(0);
        expect(lines.some((line) => carried(kind, token, line))).toBe(true);
      });
    }
  });

  describeWithProxy('tinyproxy with BasicAuth, and stopped', () => {
    it('passes with the proxy credentials, fails without them, and fails once the proxy is gone', async () => {
      const guarded = await startTinyproxy({
        connectPorts: [open.port],
        basicAuth: { username: 'proxyuser', password: 'proxypass' },
      });
      try {
        const withCredentials = new URL(guarded.url);
        withCredentials.username = 'proxyuser';
        withCredentials.password = 'proxypass';
        for (const kind of ['undici', 'axios'] as const) {
          const good = proxiedTransport(kind, withCredentials.toString());
          const bad = proxiedTransport(kind, { uri: guarded.url, token: 'Basic d3Jvbmc6d3Jvbmc=' });
          try {
            await new Registry({ domain: open.host, transport: good }).ping();
            const error = await new Registry({ domain: open.host, transport: bad, retry: { limit: 0 } })
              .ping()
              .catch((e: unknown) => e);
            // undici's tunnel fails before any response (tinyproxy refuses a CONNECT with 401);
            // axios gets the proxy's answer as the response (407 without credentials, 401 for wrong ones).
            if (kind === 'undici') {
              expect(TransportError.isInstance(error), String(error)).toBe(true);
              expect((error as Error).message).toMatch(/Proxy response \(40[17]\)/);
            } else {
              expect(RegistryResponseError.isInstance(error), String(error)).toBe(true);
              expect([401, 407]).toContain((error as RegistryResponseError).status);
            }
            expect(String(error)).not.toMatch(/proxypass|d3Jvbmc6d3Jvbmc/);
          } finally {
            await good.close?.();
            await bad.close?.();
          }
        }
      } finally {
        await guarded.stop();
      }

      // A proxy that is gone: every request fails, so the traffic really needed it.
      const shortLived = await startTinyproxy({ connectPorts: [open.port] });
      const transports = (['undici', 'axios'] as const).map((kind) => proxiedTransport(kind, shortLived.url));
      try {
        for (const transport of transports) await new Registry({ domain: open.host, transport }).ping();
        await shortLived.stop();
        for (const transport of transports) {
          const error = await new Registry({ domain: open.host, transport, retry: { limit: 0 } }).ping().catch((e: unknown) => e);
          expect(TransportError.isInstance(error), `${transport.name}: ${String(error)}`).toBe(true);
        }
      } finally {
        await shortLived.stop();
        await Promise.all(transports.map((transport) => transport.close?.()));
      }
    });
  });
});
