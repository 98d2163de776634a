export { createUndiciTransport, type UndiciTransportOptions } from './undici-transport';
export type { UndiciHttpProxy } from './proxy';
