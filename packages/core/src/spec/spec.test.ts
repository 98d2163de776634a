import { describe, expect, it } from 'vitest';
import * as root from '../index';
import * as spec from './index';

const ADAPTER_HELPERS = [
  'MAX_AUTH_RESENDS',
  'createNullAuthenticator',
  'authenticatorFromProvider',
  'basicAuthorization',
  'isLoopbackHost',
  'assertKnownOptions',
  'parseWwwAuthenticate',
  'formatWwwAuthenticate',
  'parseScope',
  'formatScope',
  'splitScopes',
  'canonicalScopes',
  'coversScopes',
  'widenScopes',
  'repositoryScope',
  'CATALOG_SCOPE',
  'isDockerHubHost',
  'dockerHubRepository',
] as const;

describe('@regkit/core/spec', () => {
  it('holds the helpers adapters need', () => {
    for (const name of ADAPTER_HELPERS) expect(spec, name).toHaveProperty(name);
  });

  it('is the only home of adapter helpers: the root is the client, its errors and references', () => {
    for (const name of ADAPTER_HELPERS) expect(Object.hasOwn(root, name), name).toBe(false);
    for (const name of ['Requester', 'HostBackoff', 'parseRateLimit', 'checkTokenRealm', 'canSendCredentials']) {
      expect(Object.hasOwn(root, name), name).toBe(false);
    }
    for (const name of ['Registry', 'RegkitError', 'parseImageName', 'createFetchTransport']) {
      expect(Object.hasOwn(root, name), name).toBe(true);
    }
  });
});
