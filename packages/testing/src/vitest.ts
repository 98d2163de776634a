/**
 * `@regkit/testing/vitest`: a fake registry or Docker Hub wired into vitest's
 * hooks in one line. Needs `vitest` (an optional peer), and `msw` only in
 * `mode: 'msw'`.
 *
 * @packageDocumentation
 */
export {
  type FakeClientOptions,
  type FakeRegistryHandle,
  type FakeRegistryMode,
  type UseFakeDockerHubOptions,
  type UseFakeRegistryOptions,
  useFakeDockerHub,
  useFakeRegistry,
} from './use-fake-registry';
