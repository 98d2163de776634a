/**
 * `@regkit/auth-basic` — HTTP Basic authentication for `@regkit/core`.
 *
 * @packageDocumentation
 */
export { type BasicAuthenticatorOptions, type BasicProviderOptions, createBasicAuthenticator } from './basic-authenticator';
