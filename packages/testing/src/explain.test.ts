import { describe, expect, it } from 'vitest';
import { MEDIA_TYPES } from './content/media-types';
import { createFakeRegistry } from './fake-registry';
import { FIXTURES } from './fixtures';
import { ALL_MANIFEST_TYPES, send } from './test-support';

describe('registry.unmatched', () => {
  it('explains an unknown repository with the ones that exist', async () => {
    const registry = createFakeRegistry();
    const response = await send(registry, '/v2/team/app/tags/list');
    expect(response.status).toBe(404);
    // The body stays exactly distribution's; the explanation goes to the record.
    expect(await response.json()).toEqual({
      errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry', detail: { name: 'team/app' } }],
    });
    expect(registry.unmatched).toEqual([
      {
        method: 'GET',
        url: 'https://registry.fake.test/v2/team/app/tags/list',
        status: 404,
        explanation: "no repository 'team/app'; known: library/alpine, library/golang, library/hello",
      },
    ]);
    expect(registry.calls[0]?.explanation).toBe(registry.unmatched[0]?.explanation);
  });

  it('names the tags a repository has when the tag is unknown', async () => {
    const registry = createFakeRegistry();
    await send(registry, '/v2/library/golang/manifests/1.13', { headers: { accept: ALL_MANIFEST_TYPES } });
    expect(registry.unmatched[0]?.explanation).toBe("no tag '1.13' in library/golang; tags: 1.12.0");
  });

  it('points at the repository holding a digest asked for elsewhere', async () => {
    const registry = createFakeRegistry();
    await send(registry, `/v2/library/golang/manifests/${FIXTURES.hello.digest}`, { headers: { accept: ALL_MANIFEST_TYPES } });
    await send(registry, `/v2/library/golang/blobs/${FIXTURES.hello.content.config.digest}`);
    expect(registry.unmatched.map((entry) => entry.explanation)).toEqual([
      expect.stringMatching(
        /^no manifest sha256:\w+ in library\/golang \(4 manifests stored\) \(it exists in library\/hello; content is per repository\)$/,
      ),
      expect.stringMatching(/^no blob sha256:\w+ in library\/golang \(it exists in library\/hello; content is per repository\)$/),
    ]);
  });

  it('says when Accept is why an OCI index was not found', async () => {
    const registry = createFakeRegistry();
    await send(registry, '/v2/library/alpine/manifests/latest', { headers: { accept: MEDIA_TYPES.dockerManifest } });
    expect(registry.unmatched[0]?.explanation).toBe(
      `library/alpine@latest is ${MEDIA_TYPES.ociIndex}, which Accept does not list (Accept: ${MEDIA_TYPES.dockerManifest}); distribution answers 404 then`,
    );
  });

  it('explains router misses', async () => {
    const registry = createFakeRegistry();
    await send(registry, '/v1/_ping');
    await send(registry, '/v2/Library/hello/tags/list');
    expect(registry.unmatched.map((entry) => entry.explanation)).toEqual([
      'no registry route for /v1/_ping: registry API paths start with /v2/',
      'no registry route for /v2/Library/hello/tags/list: repository names are lower-case',
    ]);
  });

  it('stays empty for requests that found something, and clears with clearCalls()', async () => {
    const registry = createFakeRegistry();
    await send(registry, '/v2/library/hello/tags/list');
    expect(registry.unmatched).toEqual([]);
    await send(registry, '/v2/nope/tags/list');
    registry.clearCalls();
    expect(registry.unmatched).toEqual([]);
  });
});
