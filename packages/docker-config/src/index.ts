/**
 * `@regkit/docker-config` — registry credentials the way Docker and podman
 * keep them (`config.json`, `auth.json`, credential helpers), as a
 * `CredentialProvider` for `@regkit/auth-token` and `@regkit/auth-basic`,
 * with `login` and `logout`.
 *
 * @packageDocumentation
 */

export { DOCKER_HUB_KEY } from './auth-key';
export type { DockerAuthEntry, DockerConfigFile } from './config-file';
export {
  createDockerConfigCredentials,
  type DockerConfigCredentials,
  type DockerConfigCredentialsOptions,
  type LoginCredentials,
  type LoginOptions,
  type LogoutOptions,
  type VerifyRequest,
} from './docker-config-credentials';
export { type CredentialHelperAction, CredentialHelperError, DockerConfigError } from './errors';
export { verifyWithRegistry } from './verify-with-registry';
