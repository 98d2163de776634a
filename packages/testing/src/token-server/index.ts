/**
 * `@regkit/testing/token-server`: a loopback Docker token server whose tokens
 * a real distribution 2.8 registry accepts, plus the pieces it is built from.
 */

export { createSelfSignedCertificate, type EncodedCertificate, type SelfSignedCertificateOptions } from './certificate';
export {
  type DecodedJwt,
  decodeJwt,
  libtrustKeyId,
  type RegistryTokenClaims,
  type RegistryTokenHeader,
  type TokenAccess,
} from './jwt';
export type { AccessMap, ResourceScope } from './scope';
export { formatScope, grantAccess, parseResourceScope } from './scope';
export {
  startTokenServer,
  type TokenRequestRecord,
  type TokenServer,
  type TokenServerOptions,
  type TokenServerUser,
  type TokenVerification,
} from './token-server';
