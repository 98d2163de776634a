import { createLoopbackTlsCredentials, type LoopbackTlsCredentials } from '../token-server/certificate';

let made: LoopbackTlsCredentials | undefined;

/**
 * The key and self-signed certificate for `127.0.0.1` that the TLS checks
 * serve, made once per process: generating the RSA key takes a moment.
 */
export function loopbackCertificate(): LoopbackTlsCredentials {
  made ??= createLoopbackTlsCredentials();
  return made;
}
