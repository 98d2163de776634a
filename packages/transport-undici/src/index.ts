export type { UndiciHttpProxy, UndiciHttpProxyConfig } from './proxy';
export { createUndiciTransport, type UndiciTransportOptions } from './undici-transport';
