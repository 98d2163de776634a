/**
 * `@regkit/auth-basic` — HTTP Basic authentication for `@regkit/core`.
 *
 * @packageDocumentation
 */
export { type BasicAuthenticatorOptions, createBasicAuthenticator } from './basic-authenticator';
