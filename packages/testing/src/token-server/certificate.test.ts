import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { createServer, get } from 'node:https';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createLoopbackTlsCredentials, createSelfSignedCertificate } from './certificate';

describe('createSelfSignedCertificate', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const notBefore = new Date(Date.UTC(2024, 0, 1, 0, 0, 0));
  const notAfter = new Date(Date.UTC(2051, 5, 30, 12, 0, 0)); // past 2049: GeneralizedTime

  const certificate = createSelfSignedCertificate({
    publicKey,
    privateKey,
    commonName: 'regkit test',
    notBefore,
    notAfter,
    serialNumber: 0x80n,
  });
  const parsed = new X509Certificate(certificate.der);

  it('parses as an X.509 certificate with the given names, dates and serial', () => {
    expect(parsed.subject).toBe('CN=regkit test');
    expect(parsed.issuer).toBe('CN=regkit test');
    expect(new Date(parsed.validFrom).toISOString()).toBe(notBefore.toISOString());
    expect(new Date(parsed.validTo).toISOString()).toBe(notAfter.toISOString());
    expect(parsed.serialNumber).toBe('80');
  });

  it('is a CA certificate signed by its own key', () => {
    expect(parsed.ca).toBe(true);
    expect(parsed.verify(publicKey)).toBe(true);
    expect(parsed.checkIssued(parsed)).toBe(true);
    expect(
      parsed.publicKey.export({ type: 'spki', format: 'der' }).equals(publicKey.export({ type: 'spki', format: 'der' })),
    ).toBe(true);
  });

  it('does not verify against another key', () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(parsed.verify(other.publicKey)).toBe(false);
  });

  it('produces PEM that round-trips to the same DER', () => {
    expect(certificate.pem).toMatch(
      /^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{64}\n)*[A-Za-z0-9+/=]{1,64}\n-----END CERTIFICATE-----\n$/,
    );
    expect(new X509Certificate(certificate.pem).raw.equals(Buffer.from(certificate.der))).toBe(true);
  });

  it('uses a random positive serial by default', () => {
    const a = new X509Certificate(
      createSelfSignedCertificate({ publicKey, privateKey, commonName: 'x', notBefore, notAfter }).der,
    );
    const b = new X509Certificate(
      createSelfSignedCertificate({ publicKey, privateKey, commonName: 'x', notBefore, notAfter }).der,
    );
    expect(a.serialNumber).not.toBe(b.serialNumber);
  });

  it('rejects non-RSA keys and inverted validity', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => createSelfSignedCertificate({ ...ec, commonName: 'x', notBefore, notAfter })).toThrow(TypeError);
    expect(() =>
      createSelfSignedCertificate({ publicKey, privateKey, commonName: 'x', notBefore: notAfter, notAfter: notBefore }),
    ).toThrow(RangeError);
  });
});

describe('createLoopbackTlsCredentials', () => {
  it('gives a matching key and a certificate for 127.0.0.1 valid now', () => {
    const { key, cert } = createLoopbackTlsCredentials();
    const certificate = new X509Certificate(cert);
    expect(certificate.subject).toBe('CN=127.0.0.1');
    expect(certificate.checkPrivateKey(createPrivateKey(key))).toBe(true);
    const now = Date.now();
    expect(Date.parse(certificate.validFrom)).toBeLessThan(now);
    expect(Date.parse(certificate.validTo)).toBeGreaterThan(now);
    expect(certificate.subjectAltName).toBe('IP Address:127.0.0.1');
    expect(certificate.checkIP('127.0.0.1')).toBe('127.0.0.1');
  });

  it('passes the name check of a TLS client that trusts it, with nothing switched off', async () => {
    const credentials = createLoopbackTlsCredentials();
    const server = createServer(credentials, (_, res) => res.end('trusted'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const body = await new Promise<string>((resolve, reject) => {
        get(`https://127.0.0.1:${port}/`, { ca: credentials.cert, agent: false }, (res) => {
          res.setEncoding('utf8');
          let text = '';
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () => resolve(text));
        }).on('error', reject);
      });
      expect(body).toBe('trusted');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('createSelfSignedCertificate ipAddresses', () => {
  it('names each address in the subjectAltName, and refuses what is not IPv4', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const validity = { notBefore: new Date(Date.now() - 1000), notAfter: new Date(Date.now() + 60_000) };
    const both = createSelfSignedCertificate({
      publicKey,
      privateKey,
      commonName: 'x',
      ipAddresses: ['127.0.0.1', '10.1.2.3'],
      ...validity,
    });
    expect(new X509Certificate(both.pem).subjectAltName).toBe('IP Address:127.0.0.1, IP Address:10.1.2.3');
    const none = createSelfSignedCertificate({ publicKey, privateKey, commonName: 'x', ...validity });
    expect(new X509Certificate(none.pem).subjectAltName).toBeUndefined();
    expect(() =>
      createSelfSignedCertificate({ publicKey, privateKey, commonName: 'x', ipAddresses: ['::1'], ...validity }),
    ).toThrow(/ipAddresses takes IPv4 addresses, got "::1"/);
  });
});
