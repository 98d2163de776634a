import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { isIPv4 } from 'node:net';
import {
  bitString,
  boolean,
  explicit,
  integer,
  nullValue,
  objectIdentifier,
  octetString,
  sequence,
  set,
  tlv,
  utf8String,
  x509Time,
} from './der';

const OID_SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
const OID_COMMON_NAME = '2.5.4.3';
const OID_BASIC_CONSTRAINTS = '2.5.29.19';
const OID_KEY_USAGE = '2.5.29.15';
const OID_SUBJECT_KEY_IDENTIFIER = '2.5.29.14';
const OID_SUBJECT_ALT_NAME = '2.5.29.17';
/** GeneralName `iPAddress` (RFC 5280 §4.2.1.6): context tag [7], primitive, the address's octets. */
const TAG_IP_ADDRESS = 0x87;

/** What {@link createSelfSignedCertificate} needs. */
export interface SelfSignedCertificateOptions {
  /** The RSA key pair; the certificate carries the public half and is signed with the private half. */
  readonly publicKey: KeyObject;
  /** The private key matching `publicKey`. */
  readonly privateKey: KeyObject;
  /** Subject and issuer common name. */
  readonly commonName: string;
  /** Start of validity. */
  readonly notBefore: Date;
  /** End of validity. */
  readonly notAfter: Date;
  /** Serial number; random 128-bit positive value when omitted. */
  readonly serialNumber?: bigint;
  /**
   * IPv4 addresses the certificate is for (a subjectAltName). TLS clients
   * match an IP address only against these, never the common name.
   */
  readonly ipAddresses?: readonly string[];
}

/** A DER certificate and its PEM form. */
export interface EncodedCertificate {
  /** The DER bytes (what a JWT `x5c` entry base64-encodes). */
  readonly der: Uint8Array;
  /** PEM with a trailing newline (what a registry `rootcertbundle` file holds). */
  readonly pem: string;
}

/**
 * Builds a self-signed X.509 v3 CA certificate (sha256WithRSAEncryption) for
 * an RSA key, in pure TypeScript. It is marked as a CA with the
 * keyCertSign/digitalSignature usages so Go's `x509.Verify` (what the
 * registry runs on the `x5c` chain) accepts it both as the trust root and as
 * the leaf that signs tokens.
 */
export function createSelfSignedCertificate(options: SelfSignedCertificateOptions): EncodedCertificate {
  if (options.publicKey.asymmetricKeyType !== 'rsa') throw new TypeError('createSelfSignedCertificate needs an RSA key');
  if (!(options.notBefore < options.notAfter)) throw new RangeError('certificate notBefore must be before notAfter');
  const addresses = (options.ipAddresses ?? []).map(ipv4Octets);
  const spki = new Uint8Array(options.publicKey.export({ type: 'spki', format: 'der' }));
  const algorithm = sequence(objectIdentifier(OID_SHA256_WITH_RSA), nullValue());
  const name = sequence(set(sequence(objectIdentifier(OID_COMMON_NAME), utf8String(options.commonName))));
  const serial = options.serialNumber ?? randomSerial();
  const tbs = sequence(
    explicit(0, integer(2n)), // version: v3
    integer(serial),
    algorithm,
    name, // issuer
    sequence(x509Time(options.notBefore), x509Time(options.notAfter)),
    name, // subject
    spki,
    explicit(3, sequence(...extensions(spki, addresses))),
  );
  const signature = new Uint8Array(sign('sha256', tbs, options.privateKey));
  const der = sequence(tbs, algorithm, bitString(signature));
  return { der, pem: toPem(der) };
}

/** A server's TLS key and certificate, PEM text, as `https.createServer` takes them. */
export interface LoopbackTlsCredentials {
  /** The private key, PKCS#8 PEM. */
  readonly key: string;
  /** The self-signed certificate, PEM; also what a client trusts as its `ca`. */
  readonly cert: string;
}

/**
 * A fresh RSA key and a self-signed certificate for `127.0.0.1` (common
 * name and subjectAltName), valid from a day ago to a day ahead: what a
 * loopback HTTPS server in a test needs. A client that trusts the
 * certificate (as its `ca`) connects with the full name check in place.
 */
export function createLoopbackTlsCredentials(): LoopbackTlsCredentials {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const now = Date.now();
  const certificate = createSelfSignedCertificate({
    publicKey,
    privateKey,
    commonName: '127.0.0.1',
    ipAddresses: ['127.0.0.1'],
    notBefore: new Date(now - 86_400_000),
    notAfter: new Date(now + 86_400_000),
  });
  return { key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, cert: certificate.pem };
}

function extensions(spki: Uint8Array, addresses: readonly Uint8Array[]): Uint8Array[] {
  // keyUsage bits (RFC 5280 §4.2.1.3): digitalSignature = bit 0, keyCertSign = bit 5.
  // As a BIT STRING: one content byte 0b1000_0100 with 2 unused trailing bits.
  const keyUsage = Uint8Array.of(0x03, 0x02, 0x02, 0x84);
  const names = addresses.map((octets) => tlv(TAG_IP_ADDRESS, octets));
  return [
    sequence(objectIdentifier(OID_BASIC_CONSTRAINTS), boolean(true), octetString(sequence(boolean(true)))),
    sequence(objectIdentifier(OID_KEY_USAGE), boolean(true), octetString(keyUsage)),
    sequence(objectIdentifier(OID_SUBJECT_KEY_IDENTIFIER), octetString(octetString(subjectKeyId(spki)))),
    ...(names.length > 0 ? [sequence(objectIdentifier(OID_SUBJECT_ALT_NAME), octetString(sequence(...names)))] : []),
  ];
}

function ipv4Octets(address: string): Uint8Array {
  if (!isIPv4(address))
    throw new TypeError(`createSelfSignedCertificate: ipAddresses takes IPv4 addresses, got ${JSON.stringify(address)}`);
  return Uint8Array.from(address.split('.').map(Number));
}

/** RFC 5280 §4.2.1.2 method 1 uses SHA-1 of the key bits; any stable hash is allowed, SHA-256 truncated is fine. */
function subjectKeyId(spki: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(spki).digest().subarray(0, 20));
}

function randomSerial(): bigint {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // keep it positive so DER needs no pad byte
  return BigInt(`0x${bytes.toString('hex')}`) || 1n;
}

/** Wraps DER bytes as PEM `CERTIFICATE`, 64 characters per line. */
export function toPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const base64 = Buffer.from(der).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
