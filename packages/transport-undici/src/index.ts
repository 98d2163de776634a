export { createUndiciTransport, type UndiciTransportOptions } from './undici-transport';
