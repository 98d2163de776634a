/**
 * `@regkit/core/spec`: the interfaces third parties implement (authenticators,
 * transports, credential providers) and the helpers they need, for adapter
 * authors. Applications import the client from `@regkit/core` instead.
 *
 * This entry is the current version of the spec, v1 (`./v1`). A later v2
 * will live beside it, so an adapter written against v1 keeps compiling.
 * Errors an adapter throws (`InvalidOptionError`, `AuthenticationError`, …)
 * come from the `@regkit/core` root; transport plumbing from
 * `@regkit/core/transport-kit`.
 *
 * @packageDocumentation
 */

export * from './v1/index';
