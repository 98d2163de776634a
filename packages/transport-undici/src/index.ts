export type { UndiciHttpProxy, UndiciHttpProxyConfig } from './proxy';
export { createUndiciTransport, type UndiciTransport, type UndiciTransportOptions } from './undici-transport';
