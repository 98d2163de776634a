import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetworkError } from '@regkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAxiosTransport } from './axios-transport';

/**
 * A self-signed certificate for 127.0.0.1, made by the `openssl` command:
 * Node.js cannot write an X.509 certificate with a subjectAltName on its own,
 * and without one Node refuses the IP address whatever CA is trusted.
 */
function loopbackCertificate(): { key: string; cert: string } | undefined {
  const folder = mkdtempSync(join(tmpdir(), 'regkit-tls-'));
  try {
    const [key, cert] = [join(folder, 'key.pem'), join(folder, 'cert.pem')];
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
      ].concat(['-addext', 'subjectAltName=IP:127.0.0.1']),
      { stdio: 'ignore' },
    );
    return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
  } catch {
    return undefined;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

const certificate = loopbackCertificate();

describe.skipIf(certificate === undefined)('createAxiosTransport tls (needs the openssl command to make a certificate)', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer({ key: certificate?.key, cert: certificate?.cert }, (_, res) => res.end('over tls'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/v2/`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('trusts a private CA given as tls.ca', async () => {
    const transport = createAxiosTransport({ tls: { ca: certificate?.cert ?? '' } });
    try {
      const response = await transport.send({ method: 'GET', url, headers: {} });
      expect(response.status).toBe(200);
      expect(await new Response(response.body).text()).toBe('over tls');
    } finally {
      await transport.close();
    }
  });

  it('without it, fails with a NetworkError that names TLS and is not retried', async () => {
    const transport = createAxiosTransport();
    try {
      const error = await transport.send({ method: 'GET', url, headers: {} }).catch((e: unknown) => e);
      expect(NetworkError.isInstance(error)).toBe(true);
      expect((error as NetworkError).retryable).toBe(false);
      expect((error as Error).message).toMatch(/\bTLS\b/);
      expect((error as Error).message).toMatch(/self[- ]signed/i);
    } finally {
      await transport.close();
    }
  });

  it('skips verification only with tls.insecure: true', async () => {
    const transport = createAxiosTransport({ tls: { insecure: true } });
    try {
      const response = await transport.send({ method: 'GET', url, headers: {} });
      expect(await new Response(response.body).text()).toBe('over tls');
    } finally {
      await transport.close();
    }
  });
});
