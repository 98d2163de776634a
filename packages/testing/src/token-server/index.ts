/**
 * `@regkit/testing/token-server`: a loopback Docker token server whose tokens
 * a real distribution 2.8 registry accepts, plus the pieces it is built from.
 */

export type { ParseResourceScopeOptions, ResourceScope } from '../resource-scope';
export { formatScope, parseResourceScope } from '../resource-scope';
export type { AccessMap } from './access-map';
export { grantAccess } from './access-map';
export {
  createLoopbackTlsCredentials,
  createSelfSignedCertificate,
  type EncodedCertificate,
  type LoopbackTlsCredentials,
  type SelfSignedCertificateOptions,
} from './certificate';
export {
  type DecodedJwt,
  decodeJwt,
  type KidTokenHeader,
  libtrustKeyId,
  type RegistryTokenClaims,
  type RegistryTokenHeader,
  type TokenAccess,
  type X5cTokenHeader,
} from './jwt';
export {
  type InvalidToken,
  startTokenServer,
  type TokenRequestRecord,
  type TokenServer,
  type TokenServerOptions,
  type TokenServerUser,
  type TokenVerification,
  type ValidToken,
} from './token-server';
