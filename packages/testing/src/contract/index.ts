/**
 * Contract suites for regkit extension points. Each runs with any test runner
 * (its `describe`/`it`/`expect` are passed in) or programmatically.
 *
 * @packageDocumentation
 */

export {
  type AuthenticatorCheck,
  type AuthenticatorCheckContext,
  type AuthenticatorScenario,
  authenticatorChecks,
  CONCURRENT_FLOWS,
  type ScenarioRequest,
  type ScenarioResponse,
} from './authenticator-checks';
export {
  type AuthenticatorContractOptions,
  authenticatorContract,
  runAuthenticatorContract,
} from './authenticator-contract';
export {
  assertExpect,
  type ContractAssertion,
  type ContractCheck,
  type ContractDescribe,
  type ContractExpect,
  type ContractResult,
  type ContractRunner,
  type ContractTest,
  type ContractTestSkip,
} from './contract-api';
export type { LoopbackHandler, LoopbackServer, SeenRequest, ServerScope, TcpServerInfo } from './loopback';
export {
  type TransportCapabilities,
  type TransportCheck,
  type TransportCheckContext,
  transportChecks,
} from './transport-checks';
export { runTransportContract, type TransportContractOptions, transportContract } from './transport-contract';
