import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A key and self-signed certificate for `127.0.0.1`, PEM text. */
export interface LoopbackCertificate {
  readonly key: string;
  readonly cert: string;
}

let made: LoopbackCertificate | null | undefined;

/**
 * A self-signed certificate for `127.0.0.1` made by the `openssl` command
 * (once per process), or `undefined` where there is no `openssl`. Node.js
 * cannot write an X.509 certificate on its own, and a certificate without
 * a subjectAltName for the IP address is refused whatever CA is trusted.
 */
export function loopbackCertificate(): LoopbackCertificate | undefined {
  if (made !== undefined) return made ?? undefined;
  const folder = mkdtempSync(join(tmpdir(), 'regkit-tls-'));
  try {
    const [key, cert] = [join(folder, 'key.pem'), join(folder, 'cert.pem')];
    const subject = ['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'];
    const keyOptions = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key];
    execFileSync('openssl', ['req', '-x509', ...keyOptions, '-out', cert, '-days', '1', ...subject], { stdio: 'ignore' });
    made = { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
  } catch {
    made = null;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  return made ?? undefined;
}
