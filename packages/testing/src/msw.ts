/**
 * `@regkit/testing/msw`: MSW handlers for a fake registry.
 *
 * @packageDocumentation
 */
export { fakeRegistryHandlers } from './msw-handlers';
