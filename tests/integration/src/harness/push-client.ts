import type { RegistryMode } from './registry';

/** What a client needs to reach a harness registry: plain data, safe to pass through vitest `provide`. */
export interface RegistryConnection {
  readonly origin: string;
  readonly mode: RegistryMode;
  /** Token mode: the token endpoint and service. */
  readonly token?: { readonly realm: string; readonly service: string } | undefined;
}

/** Credentials for basic/token modes. */
export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** A blob or manifest to push. */
export interface PushContent {
  readonly digest: string;
  readonly bytes: Uint8Array;
  readonly mediaType: string;
}

/**
 * A deliberately small registry client for seeding and test setup, built on
 * plain fetch and independent of regkit (so a regkit bug cannot hide in the
 * fixtures). Pushes with POST + monolithic PUT, mounts across repositories,
 * and authenticates as the given user: Basic on every request, or a token
 * fetched from the realm per scope set and cached.
 */
export class PushClient {
  private readonly tokens = new Map<string, Promise<string>>();

  constructor(
    readonly connection: RegistryConnection,
    private readonly credentials?: Credentials,
  ) {}

  /** Uploads a blob: POST an upload session, then PUT the bytes with `?digest=`. */
  async pushBlob(repository: string, blob: PushContent): Promise<void> {
    const scopes = [`repository:${repository}:pull,push`];
    const started = await this.send('POST', `/v2/${repository}/blobs/uploads/`, { scopes });
    await expectStatus(started, 202, `start upload to ${repository}`);
    await this.finishUpload(repository, started, blob, scopes);
  }

  /**
   * Links a blob that already exists in `from` into `repository` (cross-repo
   * mount, one request). Falls back to uploading when the registry opens a
   * session instead (202).
   */
  async mountBlob(repository: string, blob: PushContent, from: string): Promise<void> {
    const scopes = [`repository:${repository}:pull,push`, `repository:${from}:pull`];
    const query = new URLSearchParams({ mount: blob.digest, from });
    const response = await this.send('POST', `/v2/${repository}/blobs/uploads/?${query}`, { scopes });
    if (response.status === 201) {
      await response.body?.cancel();
      return;
    }
    await expectStatus(response, 202, `mount ${blob.digest} into ${repository}`);
    await this.finishUpload(repository, response, blob, scopes);
  }

  /** PUTs a manifest by tag or digest with its media type as Content-Type, and checks the digest the registry reports. */
  async putManifest(repository: string, reference: string, manifest: PushContent): Promise<void> {
    const response = await this.send('PUT', `/v2/${repository}/manifests/${reference}`, {
      scopes: [`repository:${repository}:pull,push`],
      headers: { 'content-type': manifest.mediaType },
      body: manifest.bytes,
    });
    await expectStatus(response, 201, `put manifest ${repository}:${reference}`);
    const digest = response.headers.get('docker-content-digest');
    if (digest !== manifest.digest)
      throw new Error(`registry stored ${repository}:${reference} as ${digest}, expected ${manifest.digest}`);
  }

  /**
   * One authenticated request to the registry. `scopes` are the token scopes
   * it needs (token mode only).
   */
  async send(
    method: string,
    pathOrUrl: string,
    init: { scopes?: readonly string[]; headers?: Record<string, string>; body?: Uint8Array } = {},
  ): Promise<Response> {
    const url = new URL(pathOrUrl, this.connection.origin);
    if (url.origin !== this.connection.origin) throw new Error(`refusing to send credentials to ${url.origin}`);
    const headers: Record<string, string> = { ...init.headers };
    const authorization = await this.authorization(init.scopes ?? []);
    if (authorization !== undefined) headers.authorization = authorization;
    // The DOM typings want an ArrayBuffer-backed view; every view here is one.
    const body = init.body as Uint8Array<ArrayBuffer> | undefined;
    return fetch(url, { method, headers, ...(body !== undefined ? { body } : {}), redirect: 'manual' });
  }

  /** The Authorization value for a request needing `scopes`, or `undefined` when anonymous. */
  async authorization(scopes: readonly string[]): Promise<string | undefined> {
    if (this.credentials === undefined || this.connection.mode === 'open') return undefined;
    if (this.connection.mode === 'basic') return basicAuthorization(this.credentials);
    const key = [...scopes].sort().join(' ');
    let token = this.tokens.get(key);
    if (token === undefined) {
      token = this.fetchToken(scopes);
      this.tokens.set(key, token);
      token.catch(() => this.tokens.delete(key));
    }
    return `Bearer ${await token}`;
  }

  private async fetchToken(scopes: readonly string[]): Promise<string> {
    const token = this.connection.token;
    if (token === undefined || this.credentials === undefined) throw new Error('token mode needs a realm and credentials');
    const url = new URL(token.realm);
    url.searchParams.set('service', token.service);
    for (const scope of scopes) url.searchParams.append('scope', scope);
    const response = await fetch(url, { headers: { authorization: basicAuthorization(this.credentials) } });
    await expectStatus(response, 200, `fetch token for ${scopes.join(' ') || '(no scope)'}`);
    const body = (await response.json()) as { token?: string; access_token?: string };
    const value = body.token ?? body.access_token;
    if (!value) throw new Error('token response had neither token nor access_token');
    return value;
  }

  private async finishUpload(repository: string, session: Response, blob: PushContent, scopes: readonly string[]): Promise<void> {
    const location = session.headers.get('location');
    await session.body?.cancel();
    if (!location) throw new Error(`upload to ${repository} answered without a Location`);
    const url = new URL(location, this.connection.origin);
    url.searchParams.set('digest', blob.digest);
    const response = await this.send('PUT', url.href, {
      scopes,
      headers: { 'content-type': 'application/octet-stream' },
      body: blob.bytes,
    });
    await expectStatus(response, 201, `upload ${blob.digest} to ${repository}`);
  }
}

/** `Basic base64(user:password)`. */
export function basicAuthorization(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}

async function expectStatus(response: Response, status: number, what: string): Promise<void> {
  if (response.status === status) return;
  const body = (await response.text()).slice(0, 2_000);
  throw new Error(`${what}: expected HTTP ${status}, got ${response.status}: ${body}`);
}
