import { generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { createSelfSignedCertificate } from './certificate';
import { libtrustKeyId } from './jwt';

const generateKeyPairAsync = promisify(generateKeyPair);

/** An RSA key with the self-signed certificate the registry trusts it by. */
export interface SigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** Certificate DER, standard base64: the JWT `x5c[0]` value. */
  readonly certificateBase64: string;
  /** Certificate PEM: the registry's `rootcertbundle` content. */
  readonly certificatePem: string;
  /** libtrust fingerprint of the public key: the JWT `kid` value. */
  readonly keyId: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Generates a 2048-bit RSA key and its certificate. The validity window
 * uses the real clock, not the token server's `clock` option: the registry
 * checks the certificate against its own wall clock.
 */
export async function createSigningKey(commonName: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
  const now = Date.now();
  const certificate = createSelfSignedCertificate({
    publicKey,
    privateKey,
    commonName,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 365 * DAY_MS),
  });
  return {
    privateKey,
    publicKey,
    certificateBase64: Buffer.from(certificate.der).toString('base64'),
    certificatePem: certificate.pem,
    keyId: libtrustKeyId(publicKey),
  };
}
