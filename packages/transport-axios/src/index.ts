/**
 * `@regkit/transport-axios` — an axios transport for `@regkit/core`.
 *
 * @packageDocumentation
 */
export { type AxiosTransport, type AxiosTransportOptions, createAxiosTransport } from './axios-transport';
export type { AxiosHttpProxy, AxiosHttpProxyConfig } from './proxy-agents';
