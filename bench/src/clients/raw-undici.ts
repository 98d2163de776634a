import { createHash } from 'node:crypto';
import { Agent, type Dispatcher, request } from 'undici';
import { type BenchClient, type ClientSession, MANIFEST_ACCEPT, mapLimited, type SessionTarget } from './client';

/**
 * The floor: the same requests done by hand with undici's `request`, one
 * `Agent` per session, no abstraction, connections kept alive (HEADs too).
 * Token auth is done the way a careful client would: the first request of a
 * batch goes alone, a 401 is answered with one token GET, and every later
 * request carries the token.
 */
export const rawUndiciClient: BenchClient = {
  id: 'raw-undici',
  unsupported: {},
  notes: {},
  open: async (target) => new RawSession(target),
};

type Headers = Record<string, string>;

class RawSession implements ClientSession {
  readonly #agent = new Agent();
  readonly #tokens = new Map<string, string>();

  constructor(private readonly target: SessionTarget) {}

  async getByTag(repository: string, tag: string) {
    const response = await this.#send('GET', `/v2/${repository}/manifests/${tag}`, repository, { accept: MANIFEST_ACCEPT });
    const bytes = Buffer.from(await response.body.arrayBuffer());
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const announced = header(response, 'docker-content-digest');
    if (announced !== undefined && announced !== digest) throw new Error(`manifest digest ${digest} != header ${announced}`);
    const manifest = JSON.parse(bytes.toString('utf8')) as { manifests?: unknown[] };
    return { digest, platforms: manifest.manifests?.length ?? 1 };
  }

  async listTags(repository: string) {
    const tags: string[] = [];
    let path: string | undefined = `/v2/${repository}/tags/list`;
    while (path !== undefined) {
      const response = await this.#send('GET', path, repository, {});
      const body = (await response.body.json()) as { tags?: string[] };
      tags.push(...(body.tags ?? []));
      const link = header(response, 'link');
      path = link === undefined ? undefined : /<([^>]+)>/.exec(link)?.[1];
    }
    return tags;
  }

  async resolveMany(repository: string, references: readonly string[], concurrency: number) {
    const head = async (reference: string): Promise<string> => {
      const response = await this.#send('HEAD', `/v2/${repository}/manifests/${reference}`, repository, {
        accept: MANIFEST_ACCEPT,
      });
      await response.body.dump();
      const digest = header(response, 'docker-content-digest');
      if (digest === undefined) throw new Error(`HEAD ${reference}: no Docker-Content-Digest`);
      return digest;
    };
    if (references.length === 0) return [];
    // One request alone learns whether a token is needed; the rest fan out with it.
    const first = await head(references[0] as string);
    return [first, ...(await mapLimited(references.slice(1), concurrency, head))];
  }

  async downloadBlob(repository: string, digest: string) {
    const response = await this.#send('GET', `/v2/${repository}/blobs/${digest}`, repository, {});
    const hash = createHash('sha256');
    let received = 0;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      hash.update(chunk);
      received += chunk.byteLength;
    }
    const actual = `sha256:${hash.digest('hex')}`;
    if (actual !== digest) throw new Error(`blob digest ${actual} != ${digest}`);
    return received;
  }

  close(): Promise<void> {
    return this.#agent.close();
  }

  /** One registry request; a 401 costs one token GET and one resend, and the token is kept for the scope. */
  async #send(method: 'GET' | 'HEAD', path: string, repository: string, headers: Headers): Promise<Dispatcher.ResponseData> {
    const scope = `repository:${repository}:pull`;
    const token = this.#tokens.get(scope);
    let response = await this.#request(
      method,
      path,
      token === undefined ? headers : { ...headers, authorization: `Bearer ${token}` },
    );
    if (response.statusCode === 401) {
      const challenge = header(response, 'www-authenticate') ?? '';
      await response.body.dump();
      const fresh = await this.#fetchToken(challenge, scope);
      this.#tokens.set(scope, fresh);
      response = await this.#request(method, path, { ...headers, authorization: `Bearer ${fresh}` });
    }
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new Error(`${method} ${path}: HTTP ${response.statusCode}`);
    }
    return response;
  }

  #request(method: 'GET' | 'HEAD', path: string, headers: Headers) {
    // undici closes the connection after every HEAD unless `reset: false` (a guard
    // against servers that send a HEAD body); registries do not, and the floor keeps alive.
    return request(`${this.target.origin}${path}`, {
      method,
      headers,
      dispatcher: this.#agent,
      ...(method === 'HEAD' && { reset: false }),
    });
  }

  async #fetchToken(challenge: string, scope: string): Promise<string> {
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (!/^bearer\s/i.test(challenge) || params.realm === undefined) throw new Error(`unexpected challenge: ${challenge}`);
    const url = new URL(params.realm);
    if (params.service !== undefined) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', params.scope ?? scope);
    const response = await request(url, { dispatcher: this.#agent });
    if (response.statusCode !== 200) throw new Error(`token: HTTP ${response.statusCode}`);
    const body = (await response.body.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new Error('token response without a token');
    return token;
  }
}

function header(response: Dispatcher.ResponseData, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
