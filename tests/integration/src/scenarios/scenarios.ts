/**
 * Registry scenarios as plain functions of a target. Each returns an
 * observation: plain data with no ports, tokens or timestamps, so the
 * observations of the fake and of the real registry can be compared with
 * `toEqual`, field by field.
 */
import { type Image, MANIFEST_ACCEPT, type Registry, RegistryResponseError, RegkitError } from '@regkit/core';
import type { HttpMethod } from '@regkit/core/spec';
import { buildImage, buildIndex, FIXTURES, MEDIA_TYPES, sha256Digest } from '@regkit/testing';
import { BIG_BLOB, DELETE_IMAGES, UNTAGGED } from './content';
import { clientFor, type ScenarioTarget, type ScenarioUser } from './target';

/** What a scenario saw: top-level keys are the fields exceptions can name. */
export type Observation = Readonly<Record<string, unknown>>;

/** One scenario. */
export interface Scenario {
  /** Unique, for test names and exceptions. */
  readonly name: string;
  /** When false for a target, the scenario does not run there. */
  readonly appliesTo?: (target: ScenarioTarget) => boolean;
  /** Runs once per target; may change the target's state (scenarios run in order). */
  run(target: ScenarioTarget): Promise<Observation>;
}

/** A failure reduced to what both implementations can agree on. */
interface FailureObservation {
  readonly error: string;
  readonly status?: number;
  readonly errors?: readonly unknown[];
  readonly bodyText?: string;
}

function failure(error: unknown): FailureObservation {
  if (RegistryResponseError.isInstance(error)) {
    return {
      error: error.name,
      status: error.status,
      errors: error.errors.map((entry) => ({ ...entry })),
      ...(error.bodyText === undefined ? {} : { bodyText: error.bodyText.trim() }),
    };
  }
  if (RegkitError.isInstance(error)) return { error: error.name };
  throw error;
}

async function outcome<T>(run: () => Promise<T>): Promise<T | FailureObservation> {
  try {
    return await run();
  } catch (error) {
    return failure(error);
  }
}

interface RawAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Uint8Array;
}

/** One request through the client's pipeline (auth, redirects), any status; `headers` picks the answer headers to keep. */
async function raw(
  client: Registry,
  method: HttpMethod,
  path: string,
  options: {
    readonly headers?: Record<string, string>;
    readonly scopes?: readonly string[];
    readonly keep?: readonly string[];
  } = {},
): Promise<RawAnswer | FailureObservation> {
  return outcome(async () => {
    const response = await client.requester.send({
      method,
      url: path,
      ...(options.headers === undefined ? {} : { headers: options.headers }),
      ...(options.scopes === undefined ? {} : { scopes: options.scopes }),
    });
    const body = response.body === null ? new Uint8Array(0) : new Uint8Array(await new Response(response.body).arrayBuffer());
    const headers: Record<string, string | undefined> = {};
    for (const name of options.keep ?? []) headers[name] = response.headers[name];
    return { status: response.status, headers, body };
  });
}

/** One answer seen through the plain-fetch client: status, the headers asked for, and the error body. */
export interface HttpObservation {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly errors?: readonly unknown[];
  readonly bodyText?: string;
}

/**
 * One request through the plain-fetch client (no regkit pipeline), so the
 * answer's headers can be observed even on errors. 416 bodies are not read:
 * 2.8 announces the blob's length there and sends only a short text.
 */
async function http(
  target: ScenarioTarget,
  method: string,
  path: string,
  options: {
    readonly user?: ScenarioUser;
    readonly headers?: Record<string, string>;
    readonly body?: Uint8Array;
    readonly scopes?: readonly string[];
    readonly keep?: readonly string[];
  } = {},
): Promise<HttpObservation> {
  const response = await target.http(options.user ?? 'admin').send(method, path, {
    ...(options.scopes === undefined ? {} : { scopes: options.scopes }),
    ...(options.headers === undefined ? {} : { headers: options.headers }),
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  const headers: Record<string, string | undefined> = {};
  for (const name of options.keep ?? []) headers[name] = response.headers.get(name) ?? undefined;
  if (response.status < 400 || response.status === 416 || method === 'HEAD') {
    await response.body?.cancel();
    return { status: response.status, headers };
  }
  const text = await response.text();
  try {
    const parsed = JSON.parse(text) as { errors?: unknown };
    if (Array.isArray(parsed.errors)) return { status: response.status, headers, errors: parsed.errors };
  } catch {
    // Not JSON: a router miss or another plain-text answer.
  }
  return { status: response.status, headers, bodyText: text.trim() };
}

function pull(repository: string): string[] {
  return [`repository:${repository}:pull`];
}

function sorted(values: readonly string[]): string[] {
  return [...values].sort();
}

function platformsOf(image: Image) {
  return image.platforms.map((p) => ({
    os: p.os,
    architecture: p.architecture,
    variant: p.variant,
    osVersion: p.osVersion,
    digest: p.digest,
  }));
}

/** The answer to one raw manifest request, as status, type, digest and error. */
async function manifestAnswer(client: Registry, method: HttpMethod, path: string, accept: string | undefined) {
  const answer = await raw(client, method, path, {
    ...(accept === undefined ? {} : { headers: { accept } }),
    scopes: pull(path.split('/manifests/')[0]?.slice('/v2/'.length) ?? ''),
    keep: ['content-type', 'docker-content-digest'],
  });
  if ('error' in answer) return answer;
  return {
    status: answer.status,
    contentType: answer.headers['content-type'],
    digest: answer.headers['docker-content-digest'],
    bodyDigest: method === 'HEAD' ? undefined : sha256Digest(answer.body),
  };
}

/** A tags page as served, sorted for comparison, plus whether it came sorted and its Link. */
async function tagsPage(client: Registry, query: string) {
  const answer = await raw(client, 'GET', `/v2/paging/tags/tags/list${query}`, { scopes: pull('paging/tags'), keep: ['link'] });
  if ('error' in answer) return answer;
  const { tags } = JSON.parse(new TextDecoder().decode(answer.body)) as { tags: string[] };
  return { tags: sorted(tags), servedSorted: tags.join() === sorted(tags).join(), link: answer.headers.link };
}

async function catalogPage(client: Registry, query: string) {
  const answer = await raw(client, 'GET', `/v2/_catalog${query}`, { scopes: ['registry:catalog:*'], keep: ['link'] });
  if ('error' in answer) return answer;
  const { repositories } = JSON.parse(new TextDecoder().decode(answer.body)) as { repositories: string[] };
  return { repositories, link: answer.headers.link };
}

async function rangeRead(client: Registry, range: string) {
  const answer = await raw(client, 'GET', `/v2/blobs/big/blobs/${BIG_BLOB.digest}`, {
    headers: { range },
    scopes: pull('blobs/big'),
    keep: ['content-range', 'content-length', 'content-type'],
  });
  if ('error' in answer) return answer;
  const multipart = answer.headers['content-type']?.startsWith('multipart/byteranges') ?? false;
  return {
    status: answer.status,
    contentRange: answer.headers['content-range'],
    contentLength: answer.headers['content-length'],
    multipart,
    bodyDigest: sha256Digest(answer.body),
  };
}

/** Status and OCI error codes only: the `detail` of push errors is Go error text that says nothing a client uses. */
function codes(answer: HttpObservation) {
  return { status: answer.status, codes: answer.errors?.map((entry) => (entry as { code?: unknown }).code) };
}

/** A Location reduced to what both registries agree on: the path, and whether it carries a `_state`. */
function where(location: string | undefined) {
  if (location === undefined) return undefined;
  const url = new URL(location, 'http://origin.invalid');
  return { path: url.pathname.replace(/\/uploads\/[^/]+$/, '/uploads/<uuid>'), state: url.searchParams.has('_state') };
}

const UPLOAD_KEEP = [
  'location',
  'range',
  'docker-upload-uuid',
  'content-length',
  'docker-content-digest',
  'oci-chunk-min-length',
];

/** An upload answer: status, codes, and its headers in comparable form. */
function uploadAnswer(answer: HttpObservation) {
  const { location, 'docker-upload-uuid': uuid, ...rest } = answer.headers;
  return {
    ...codes(answer),
    location: where(location),
    uuidInLocation: uuid === undefined ? undefined : (location?.includes(`/uploads/${uuid}?`) ?? false),
    headers: rest,
  };
}

function push(repository: string): string[] {
  return [`repository:${repository}:pull,push`];
}

const PUSHED_BLOB = new TextEncoder().encode('scenario: a blob pushed in chunks, 40 bytes');

const UNKNOWN_DIGEST = `sha256:${'0'.repeat(64)}`;
const ALPINE_BY_DIGEST = `/v2/library/alpine/manifests/${FIXTURES.alpine.digest}`;

/** The scenarios, in the order they run (state-changing ones last). */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'manifest list: digest, media type and platforms',
    async run(target) {
      const image = await clientFor(target).repository('library/golang').images().getByTag('1.12.0');
      return {
        digest: image.digest,
        mediaType: image.mediaType,
        platforms: platformsOf(image),
        attestations: image.attestations.length,
      };
    },
  },
  {
    name: 'OCI index with an attestation manifest',
    async run(target) {
      const repository = clientFor(target).repository('library/alpine');
      const image = await repository.images().getByTag('latest');
      const attestation = image.attestations[0];
      const manifest = attestation === undefined ? undefined : await repository.manifests().get(attestation.digest);
      return {
        digest: image.digest,
        mediaType: image.mediaType,
        platforms: platformsOf(image),
        attestations: image.attestations.map((a) => ({ digest: a.digest, subject: a.subjectDigest, mediaType: a.mediaType })),
        attestationLayers: manifest?.kind === 'image' ? manifest.layers.map((layer) => layer.mediaType) : undefined,
      };
    },
  },
  {
    name: 'Accept negotiation',
    async run(target) {
      const client = clientFor(target);
      return {
        ociIndexWithoutOciAccept: await manifestAnswer(
          client,
          'GET',
          '/v2/library/alpine/manifests/latest',
          MEDIA_TYPES.dockerManifest,
        ),
        ociIndexByDigestHeadWithoutOciAccept: await manifestAnswer(
          client,
          'HEAD',
          ALPINE_BY_DIGEST,
          MEDIA_TYPES.dockerManifestList,
        ),
        ociIndexWithEveryType: await manifestAnswer(client, 'GET', '/v2/library/alpine/manifests/latest', MANIFEST_ACCEPT),
        listByTagWithV2Only: await manifestAnswer(
          client,
          'GET',
          '/v2/library/golang/manifests/1.12.0',
          MEDIA_TYPES.dockerManifest,
        ),
        listByDigestWithoutAccept: await manifestAnswer(
          client,
          'GET',
          `/v2/library/golang/manifests/${FIXTURES.golang.digest}`,
          undefined,
        ),
        listWithQualityParameter: await manifestAnswer(
          client,
          'GET',
          '/v2/library/golang/manifests/1.12.0',
          `${MEDIA_TYPES.dockerManifestList};q=0.5`,
        ),
        wildcardOnlyByDigest: await manifestAnswer(client, 'GET', `/v2/library/hello/manifests/${FIXTURES.hello.digest}`, '*/*'),
        v2ByTagWithOciOnly: await manifestAnswer(client, 'GET', '/v2/library/hello/manifests/latest', MEDIA_TYPES.ociManifest),
      };
    },
  },
  {
    name: 'unknown tags, digests, repositories and blobs: errors and OCI codes',
    async run(target) {
      const client = clientFor(target);
      const golang = client.repository('library/golang');
      return {
        unknownTag: await outcome(() => golang.images().getByTag('no-such-tag')),
        unknownDigest: await outcome(() => golang.images().getByDigest(UNKNOWN_DIGEST)),
        unknownRepositoryManifest: await outcome(() => client.repository('library/nope').images().getByTag('latest')),
        unknownRepositoryTags: await outcome(() => client.repository('library/nope').tags().getAll()),
        unknownBlob: await outcome(() => golang.blobs().getBytes(UNKNOWN_DIGEST)),
        blobOfAnotherRepository: await outcome(() => golang.blobs().getBytes(FIXTURES.hello.content.config.digest)),
        malformedDigest: await raw(client, 'GET', '/v2/library/golang/blobs/sha256:abc', { scopes: pull('library/golang') }),
        invalidTag: await raw(client, 'GET', '/v2/library/golang/manifests/-bad', { scopes: pull('library/golang') }),
        referrers: await raw(client, 'GET', `/v2/library/golang/referrers/${UNKNOWN_DIGEST}`, { scopes: pull('library/golang') }),
        upperCaseName: await raw(client, 'GET', '/v2/Library/golang/tags/list', { scopes: pull('Library/golang') }),
      };
    },
  },
  {
    name: 'tag listing with n, last and Link',
    async run(target) {
      const client = clientFor(target);
      const all = await client.repository('paging/tags').tags().getAll({ pageSize: 10 });
      return {
        all: sorted(all),
        count: all.length,
        unique: new Set(all).size,
        firstPage: await tagsPage(client, '?n=10'),
        afterLast: await tagsPage(client, '?n=10&last=v09'),
        lastPage: await tagsPage(client, '?n=10&last=v19'),
        noParameters: await tagsPage(client, ''),
      };
    },
  },
  {
    name: 'catalog paging with n, last and Link',
    async run(target) {
      const client = clientFor(target, 'admin');
      const pages = [];
      let query: string | undefined = '?n=2';
      while (query !== undefined && pages.length < 10) {
        const page = await catalogPage(client, query);
        pages.push(page);
        const link = 'link' in page ? page.link : undefined;
        query = link === undefined ? undefined : /^<\/v2\/_catalog(\?[^>]*)>; rel="next"$/.exec(link)?.[1];
      }
      return {
        pages,
        all: await outcome(() => client.repositories({ pageSize: 4 })),
        zero: await catalogPage(client, '?n=0'),
        pastTheEnd: await catalogPage(client, '?n=2&last=zzz'),
        lastIsExclusiveAndNeedNotExist: await catalogPage(client, '?n=2&last=library'),
        tooMany: await catalogPage(client, '?n=1001'),
      };
    },
  },
  {
    name: 'blob range reads',
    async run(target) {
      const client = clientFor(target);
      const blobs = client.repository('blobs/big').blobs();
      const head = await blobs.head(BIG_BLOB.digest);
      const download = await blobs.get(BIG_BLOB.digest);
      const whole = new Uint8Array(await new Response(download.body).arrayBuffer());
      return {
        head,
        streamed: { size: download.size, bytes: whole.length, digest: sha256Digest(whole) },
        firstBytes: await rangeRead(client, 'bytes=0-3'),
        middle: await rangeRead(client, 'bytes=65530-65545'),
        suffix: await rangeRead(client, 'bytes=-4'),
        openEnded: await rangeRead(client, `bytes=${BIG_BLOB.size - 10}-`),
        pastTheEnd: await rangeRead(client, `bytes=${BIG_BLOB.size}-`),
        multiRange: await rangeRead(client, 'bytes=0-1,4-5'),
      };
    },
  },
  {
    name: 'edge answers: malformed references, long names, 416 headers, untagged repositories',
    async run(target) {
      const golang = (method: string, reference: string) =>
        http(target, method, `/v2/library/golang/manifests/${reference}`, { scopes: pull('library/golang') });
      const malformed: Record<string, unknown> = {};
      for (const [key, reference] of Object.entries({
        shortHex: 'sha256:abc',
        hex32: `sha256:${'a'.repeat(32)}`,
        upperCaseHex: `sha256:${'A'.repeat(64)}`,
        unknownAlgorithm: `md5:${'a'.repeat(32)}`,
      })) {
        malformed[key] = { get: await golang('GET', reference), head: await golang('HEAD', reference) };
      }
      // 255 characters is the longest name 2.8 accepts; one more and it fails with 500.
      const tooLong = `long/${'a'.repeat(251)}`;
      const blobRange = (range: string) =>
        http(target, 'GET', `/v2/blobs/big/blobs/${BIG_BLOB.digest}`, {
          headers: { range },
          scopes: pull('blobs/big'),
          keep: ['docker-content-digest', 'etag', 'content-range', 'accept-ranges', 'cache-control'],
        });
      const repositories = await clientFor(target).repositories();
      return {
        malformedDigestReference: malformed,
        tooLongNameTags: await http(target, 'GET', `/v2/${tooLong}/tags/list`, { scopes: pull(tooLong) }),
        tooLongNameManifest: await http(target, 'GET', `/v2/${tooLong}/manifests/latest`, { scopes: pull(tooLong) }),
        tooLongNameBlobHead: await http(target, 'HEAD', `/v2/${tooLong}/blobs/${UNKNOWN_DIGEST}`, { scopes: pull(tooLong) }),
        rangePastTheEnd: await blobRange(`bytes=${BIG_BLOB.size}-`),
        rangeEndBeforeStart: await blobRange('bytes=10-5'),
        blobsOnlyTags: await http(target, 'GET', `/v2/${UNTAGGED.blobsOnly}/tags/list`, { scopes: pull(UNTAGGED.blobsOnly) }),
        digestOnlyTags: await http(target, 'GET', `/v2/${UNTAGGED.digestOnly}/tags/list`, { scopes: pull(UNTAGGED.digestOnly) }),
        catalogListsUntagged: repositories.filter((name) => name.startsWith('untagged/')),
      };
    },
  },
  {
    name: 'push: upload sessions, chunks, digests and cancel',
    async run(target) {
      const name = 'push/uploads';
      const scopes = push(name);
      const send = (method: string, path: string, body?: Uint8Array, headers?: Record<string, string>) =>
        http(target, method, path, {
          scopes,
          keep: UPLOAD_KEEP,
          ...(body === undefined ? {} : { body }),
          ...(headers === undefined ? {} : { headers }),
        });
      const digest = sha256Digest(PUSHED_BLOB);
      const started = await send('POST', `/v2/${name}/blobs/uploads/`);
      const first = started.headers.location ?? '';
      const octet = { 'content-type': 'application/octet-stream' };
      const chunk1 = await send('PATCH', first, PUSHED_BLOB.slice(0, 16), { ...octet, 'content-range': '0-15' });
      const second = chunk1.headers.location ?? '';
      const stale = await send('PATCH', first, PUSHED_BLOB.slice(16, 24), { ...octet, 'content-range': '16-23' });
      // Out of order: 2.8 ignores Content-Range and appends.
      const outOfOrder = await send('PATCH', second, PUSHED_BLOB.slice(16, 24), { ...octet, 'content-range': '30-37' });
      const third = outOfOrder.headers.location ?? second;
      const status = await send('GET', third);
      const appended = outOfOrder.status === 202 ? 24 : 16;
      const closed = await send('PUT', `${third}&digest=${digest}`, PUSHED_BLOB.slice(appended), octet);
      const pushed = await http(target, 'GET', `/v2/${name}/blobs/${digest}`, {
        scopes: pull(name),
        keep: ['docker-content-digest'],
      });

      const wrongSession = (await send('POST', `/v2/${name}/blobs/uploads/`)).headers.location ?? '';
      const wrongDigest = await send('PUT', `${wrongSession}&digest=${sha256Digest('something else')}`, PUSHED_BLOB, octet);
      const afterWrongDigest = await send('GET', wrongSession);

      const cancelled = (await send('POST', `/v2/${name}/blobs/uploads/`)).headers.location ?? '';
      const cancel = await http(target, 'DELETE', cancelled, { scopes: [`repository:${name}:delete`] });
      const afterCancel = await send('GET', cancelled);

      const noDigestSession = (await send('POST', `/v2/${name}/blobs/uploads/`)).headers.location ?? '';
      const noDigest = await send('PUT', noDigestSession, PUSHED_BLOB, octet);

      const single = new TextEncoder().encode('scenario: one POST with the whole blob');
      const singleDigest = sha256Digest(single);
      const singlePost = await send('POST', `/v2/${name}/blobs/uploads/?digest=${singleDigest}`, single, octet);
      const singleStored = await http(target, 'HEAD', `/v2/${name}/blobs/${singleDigest}`, { scopes: pull(name) });

      const reader = await http(target, 'POST', `/v2/${name}/blobs/uploads/`, {
        user: 'reader',
        scopes,
        keep: ['www-authenticate'],
      });
      const deleted = await http(target, 'DELETE', `/v2/${name}/blobs/${digest}`, { scopes: [`repository:${name}:delete`] });
      const afterDelete = await http(target, 'HEAD', `/v2/${name}/blobs/${digest}`, { scopes: pull(name) });
      return {
        started: uploadAnswer(started),
        chunk1: { ...uploadAnswer(chunk1), newLocation: second !== first },
        stale: codes(stale),
        outOfOrder: uploadAnswer(outOfOrder),
        status: uploadAnswer(status),
        closed: uploadAnswer(closed),
        pushed: { ...codes(pushed), digest: pushed.headers['docker-content-digest'] },
        wrongDigest: { status: wrongDigest.status, errors: wrongDigest.errors },
        afterWrongDigest: codes(afterWrongDigest),
        cancel: codes(cancel),
        afterCancel: codes(afterCancel),
        noDigest: codes(noDigest),
        singlePost: uploadAnswer(singlePost),
        singleStored: singleStored.status,
        readerPush:
          target.capabilities.auth === 'token'
            ? {
                status: reader.status,
                insufficientScope: reader.headers['www-authenticate']?.includes('error="insufficient_scope"'),
              }
            : undefined,
        deleteBlob: codes(deleted),
        afterDelete: afterDelete.status,
      };
    },
  },
  {
    name: 'push: mounts, manifest PUT validation and tagging',
    async run(target) {
      const name = 'push/manifests';
      const client = target.http('admin');
      const image = buildImage({ format: 'oci', layers: ['scenario: pushed manifest\n'] });
      const docker = buildImage({ format: 'docker', layers: ['scenario: pushed docker manifest\n'] });
      for (const blob of [...image.blobs, ...docker.blobs]) await client.pushBlob(name, blob);
      const source = FIXTURES.hello.repository;
      const config = FIXTURES.hello.content.config.digest;
      const mountScopes = [...push('push/mounted'), `repository:${source}:pull`];
      const mount = (query: string) =>
        http(target, 'POST', `/v2/push/mounted/blobs/uploads/${query}`, { scopes: mountScopes, keep: UPLOAD_KEEP });
      const mounted = await mount(`?mount=${config}&from=${source}`);
      const withoutFrom = await mount(`?mount=${config}`);
      const missing = await mount(`?mount=${UNKNOWN_DIGEST}&from=${source}`);
      const put = (reference: string, bytes: Uint8Array, contentType: string) =>
        http(target, 'PUT', `/v2/${name}/manifests/${reference}`, {
          scopes: push(name),
          headers: { 'content-type': contentType },
          body: bytes,
          keep: ['location', 'docker-content-digest', 'content-length', 'oci-subject'],
        });
      const created = await put('v1', image.bytes, image.mediaType);
      const fetched = await http(target, 'GET', `/v2/${name}/manifests/v1`, {
        scopes: pull(name),
        headers: { accept: image.mediaType },
        keep: ['docker-content-digest', 'content-type'],
      });
      const orphan = buildImage({ format: 'docker', layers: ['scenario: blobs never pushed\n'] });
      const blobUnknown = await put('orphan', orphan.bytes, orphan.mediaType);
      const wrongDigest = await put(UNKNOWN_DIGEST, docker.bytes, docker.mediaType);
      const typeMismatch = await put('mismatch', docker.bytes, MEDIA_TYPES.ociManifest);
      const parsed = JSON.parse(new TextDecoder().decode(image.bytes)) as Record<string, unknown>;
      delete parsed.mediaType;
      parsed.annotations = { 'scenario.example': 'no mediaType field' };
      const bare = new TextEncoder().encode(JSON.stringify(parsed));
      const withoutMediaType = await put('bare', bare, MEDIA_TYPES.ociManifest);
      const index = buildIndex({ images: [image, orphan] });
      const indexMissingChild = await put('index', index.bytes, index.mediaType);
      const retag = await put('v1-again', image.bytes, image.mediaType);
      const byDigest = await put(docker.digest, docker.bytes, docker.mediaType);
      // An OCI 1.1 artifact naming the image as its subject: 2.8 stores it, knows nothing of subjects
      // (no OCI-Subject) and has no referrers route.
      const empty = new TextEncoder().encode('{}');
      await client.pushBlob(name, { digest: sha256Digest(empty), bytes: empty, mediaType: 'application/vnd.oci.empty.v1+json' });
      const artifact = new TextEncoder().encode(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MEDIA_TYPES.ociManifest,
          artifactType: 'application/vnd.example.sbom',
          config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256Digest(empty), size: 2 },
          layers: [{ mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256Digest(empty), size: 2 }],
          subject: { mediaType: image.mediaType, digest: image.digest, size: image.bytes.length },
        }),
      );
      const withSubject = await put(sha256Digest(artifact), artifact, MEDIA_TYPES.ociManifest);
      const referrers = await http(target, 'GET', `/v2/${name}/referrers/${image.digest}`, { scopes: pull(name) });
      const tags = await clientFor(target).repository(name).tags().getAll();
      const manifest = (answer: HttpObservation) => ({
        ...codes(answer),
        location: where(answer.headers.location),
        digest: answer.headers['docker-content-digest'],
        ociSubject: answer.headers['oci-subject'],
      });
      return {
        mounted: uploadAnswer(mounted),
        mountWithoutFrom: uploadAnswer(withoutFrom),
        mountMissingBlob: uploadAnswer(missing),
        created: manifest(created),
        fetched: { ...codes(fetched), headers: fetched.headers },
        blobUnknown: { status: blobUnknown.status, errors: blobUnknown.errors },
        wrongDigest: codes(wrongDigest),
        typeMismatch: codes(typeMismatch),
        withoutMediaType: manifest(withoutMediaType),
        indexMissingChild: { status: indexMissingChild.status, errors: indexMissingChild.errors },
        retag: manifest(retag),
        byDigest: manifest(byDigest),
        withSubject: manifest(withSubject),
        referrers,
        tags: sorted(tags),
      };
    },
  },
  {
    name: 'token scopes per request',
    appliesTo: (target) => target.capabilities.auth === 'token',
    async run(target) {
      target.clearTokenRequests();
      const anonymous = clientFor(target, 'anonymous');
      await anonymous.repository('library/golang').images().getByTag('1.12.0');
      await anonymous.repository('library/hello').tags().getAll();
      await anonymous.repository('library/hello').blobs().getBytes(FIXTURES.hello.content.config.digest);
      const admin = clientFor(target, 'admin');
      await admin.repositories();
      const deleteUnknown = await outcome(() => admin.repository('scratch/delete').images().deleteByDigest(UNKNOWN_DIGEST));
      const readerCatalog = await outcome(() => clientFor(target, 'reader').repositories());
      const normalise = (scopes: readonly string[]) =>
        sorted(
          scopes.map((scope) => {
            const last = scope.lastIndexOf(':');
            return `${scope.slice(0, last)}:${sorted(scope.slice(last + 1).split(',')).join(',')}`;
          }),
        );
      return {
        tokenRequests: target.tokenRequests().map((request) => ({
          username: request.username,
          scopes: normalise(request.scopes),
          granted: normalise(request.granted),
        })),
        deleteUnknown,
        readerCatalog,
      };
    },
  },
  {
    name: 'delete by digest removes every tag on it',
    async run(target) {
      const client = clientFor(target, 'admin');
      const repository = client.repository('scratch/delete');
      const before = sorted(await repository.tags().getAll());
      const deleted = await outcome(() => repository.images().deleteByDigest(DELETE_IMAGES.shared.digest));
      return {
        before,
        deleted: deleted ?? 'ok',
        after: sorted(await repository.tags().getAll()),
        deletedTag: await outcome(() => repository.images().getByTag('a')),
        keptTag: (await repository.images().getByTag('c')).digest,
        again: await outcome(() => repository.images().deleteByDigest(DELETE_IMAGES.shared.digest)),
        byTag: await raw(client, 'DELETE', '/v2/scratch/delete/manifests/c', { scopes: ['repository:scratch/delete:delete'] }),
        blobsStay: (await repository.blobs().head(DELETE_IMAGES.shared.config.digest)).size,
      };
    },
  },
];
