import { concatBytes } from '../bytes';

/**
 * A minimal ASN.1 DER encoder: just the types an X.509 v3 certificate needs.
 * Every function returns the complete TLV (tag, length, value) encoding, so
 * encoders nest by plain composition: `sequence(integer(1n), nullValue())`.
 */

const TAG_BOOLEAN = 0x01;
const TAG_INTEGER = 0x02;
const TAG_BIT_STRING = 0x03;
const TAG_OCTET_STRING = 0x04;
const TAG_NULL = 0x05;
const TAG_OID = 0x06;
const TAG_UTF8_STRING = 0x0c;
const TAG_PRINTABLE_STRING = 0x13;
const TAG_UTC_TIME = 0x17;
const TAG_GENERALIZED_TIME = 0x18;
const TAG_SEQUENCE = 0x30;
const TAG_SET = 0x31;
const CONTEXT_CONSTRUCTED = 0xa0;

/** DER length octets: short form below 128, otherwise long form with the minimum number of bytes. */
export function encodeLength(length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0)
    throw new RangeError(`DER length must be a non-negative integer, got ${length}`);
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** One TLV with a single-byte tag. */
export function tlv(tag: number, content: Uint8Array): Uint8Array {
  return concatBytes([Uint8Array.of(tag), encodeLength(content.length), content]);
}

/** SEQUENCE of already-encoded elements. */
export function sequence(...elements: Uint8Array[]): Uint8Array {
  return tlv(TAG_SEQUENCE, concatBytes(elements));
}

/**
 * SET OF already-encoded elements. DER orders SET OF members by their
 * encodings; callers here only ever pass one member, but sort anyway so the
 * output stays canonical.
 */
export function set(...elements: Uint8Array[]): Uint8Array {
  const sorted = [...elements].sort(compareBytes);
  return tlv(TAG_SET, concatBytes(sorted));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return a.length - b.length;
}

/** BOOLEAN; DER requires 0xff for true. */
export function boolean(value: boolean): Uint8Array {
  return tlv(TAG_BOOLEAN, Uint8Array.of(value ? 0xff : 0x00));
}

/**
 * INTEGER from a non-negative bigint or from unsigned big-endian bytes. A
 * leading 0x00 is added when the high bit is set (otherwise the value would
 * read as negative), and redundant leading zeros are dropped.
 */
export function integer(value: bigint | Uint8Array): Uint8Array {
  let bytes: Uint8Array;
  if (typeof value === 'bigint') {
    if (value < 0n) throw new RangeError('DER integer encoder only supports non-negative values');
    const hex = value.toString(16);
    bytes = Uint8Array.from(Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex'));
  } else {
    bytes = value;
  }
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  let trimmed = bytes.subarray(start);
  if (trimmed.length === 0) trimmed = Uint8Array.of(0);
  if (((trimmed[0] ?? 0) & 0x80) !== 0) trimmed = concatBytes([Uint8Array.of(0), trimmed]);
  return tlv(TAG_INTEGER, trimmed);
}

/** NULL. */
export function nullValue(): Uint8Array {
  return Uint8Array.of(TAG_NULL, 0x00);
}

/** OBJECT IDENTIFIER from dotted form, e.g. `1.2.840.113549.1.1.11`. */
export function objectIdentifier(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((arc) => {
    if (!/^\d+$/.test(arc)) throw new RangeError(`invalid OID arc "${arc}" in ${dotted}`);
    return BigInt(arc);
  });
  const [first, second, ...rest] = arcs;
  if (first === undefined || second === undefined || first > 2n || (first < 2n && second > 39n)) {
    throw new RangeError(`invalid OID ${dotted}`);
  }
  const out: number[] = [];
  for (const arc of [first * 40n + second, ...rest]) out.push(...base128(arc));
  return tlv(TAG_OID, Uint8Array.from(out));
}

/** Base-128 with the continuation bit on every byte but the last. */
function base128(value: bigint): number[] {
  const groups = [Number(value & 0x7fn)];
  for (let rest = value >> 7n; rest > 0n; rest >>= 7n) groups.unshift(Number(rest & 0x7fn) | 0x80);
  return groups;
}

/** UTF8String. */
export function utf8String(value: string): Uint8Array {
  return tlv(TAG_UTF8_STRING, new TextEncoder().encode(value));
}

/** PrintableString; rejects characters outside its restricted alphabet. */
export function printableString(value: string): Uint8Array {
  if (!/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(value)) throw new RangeError(`"${value}" is not a PrintableString`);
  return tlv(TAG_PRINTABLE_STRING, new TextEncoder().encode(value));
}

/** OCTET STRING. */
export function octetString(value: Uint8Array): Uint8Array {
  return tlv(TAG_OCTET_STRING, value);
}

/** BIT STRING of whole bytes (no unused bits), as signatures and keys use. */
export function bitString(value: Uint8Array): Uint8Array {
  return tlv(TAG_BIT_STRING, concatBytes([Uint8Array.of(0), value]));
}

/** Explicitly tagged, context-specific, constructed `[tagNumber]` wrapper. */
export function explicit(tagNumber: number, content: Uint8Array): Uint8Array {
  if (!Number.isInteger(tagNumber) || tagNumber < 0 || tagNumber > 30)
    throw new RangeError(`unsupported context tag ${tagNumber}`);
  return tlv(CONTEXT_CONSTRUCTED | tagNumber, content);
}

/** UTCTime `YYMMDDHHMMSSZ` (seconds precision, UTC). Valid for 1950–2049. */
export function utcTime(date: Date): Uint8Array {
  const year = date.getUTCFullYear();
  if (year < 1950 || year > 2049) throw new RangeError(`UTCTime cannot represent year ${year}`);
  return tlv(TAG_UTC_TIME, new TextEncoder().encode(`${timeDigits(date).slice(2)}Z`));
}

/** GeneralizedTime `YYYYMMDDHHMMSSZ` (no fractional seconds, as DER requires for X.509). */
export function generalizedTime(date: Date): Uint8Array {
  return tlv(TAG_GENERALIZED_TIME, new TextEncoder().encode(`${timeDigits(date)}Z`));
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050 on. */
export function x509Time(date: Date): Uint8Array {
  const year = date.getUTCFullYear();
  return year >= 1950 && year <= 2049 ? utcTime(date) : generalizedTime(date);
}

function timeDigits(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError('invalid date');
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return (
    pad(date.getUTCFullYear(), 4) +
    pad(date.getUTCMonth() + 1) +
    pad(date.getUTCDate()) +
    pad(date.getUTCHours()) +
    pad(date.getUTCMinutes()) +
    pad(date.getUTCSeconds())
  );
}
