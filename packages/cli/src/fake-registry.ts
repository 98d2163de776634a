/**
 * The fake registry `regkit serve` runs, built as a file of its own
 * (`dist/fake-registry.cjs`): it is the largest part of the CLI and no other
 * command needs it, so the bin loads it only when `serve` starts.
 */
export { createFakeRegistry } from '@regkit/testing';
