export type { UndiciHttpProxy } from './proxy';
export { createUndiciTransport, type UndiciTransportOptions } from './undici-transport';
