/**
 * Version 1 of what third parties implement and build on: the contracts
 * (`Authenticator`, `Transport`, `CredentialProvider`, each carrying
 * `specificationVersion: 'v1'`) and the helpers that implementing them
 * takes. Stable within the 1.x line of the spec: a breaking change ships as
 * a `v2` next to this one, so adapters written for v1 keep compiling.
 */

export {
  type AuthChallenge,
  type AuthContext,
  type AuthDecision,
  type Authenticator,
  type AuthHttpClient,
  type AuthHttpRequest,
  type AuthHttpResponse,
  type AuthRequest,
  type AuthResponseContext,
  type AuthResponseInfo,
  createNullAuthenticator,
  MAX_AUTH_RESENDS,
  type RegistryTarget,
} from '../../authenticator';
export { basicAuthorization } from '../../basic-credentials';
export { isLoopbackHost } from '../../credential-policy';
export { authenticatorFromProvider, type ProviderAuthenticatorOptions } from '../../credential-provider-authenticator';
export type {
  CredentialProvider,
  Credentials,
  GetCredentialsOptions,
  IdentityTokenCredentials,
  UsernamePasswordCredentials,
} from '../../credentials';
export {
  DOCKER_HUB_API_HOST,
  DOCKER_HUB_DOMAIN,
  DOCKER_HUB_LEGACY_DOMAIN,
  dockerHubRepository,
  isDockerHubHost,
  OFFICIAL_REPOSITORY_PREFIX,
} from '../../docker-hub';
export { assertKnownOptions } from '../../known-options';
export {
  CATALOG_SCOPE,
  canonicalScopes,
  coversScopes,
  formatScope,
  parseScope,
  repositoryScope,
  splitScopes,
  type TokenScope,
  widenScopes,
} from '../../scope';
export type {
  HeaderMap,
  HttpMethod,
  RequestBody,
  Transport,
  TransportRequest,
  TransportResponse,
  TransportSendOptions,
} from '../../transport';
export { untilAborted } from '../../until-aborted';
export { formatWwwAuthenticate, type ParsedAuthChallenge, parseWwwAuthenticate } from '../../www-authenticate';
