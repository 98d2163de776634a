import { describe, expect, it } from 'vitest';
import {
  bitString,
  boolean,
  encodeLength,
  explicit,
  generalizedTime,
  integer,
  nullValue,
  objectIdentifier,
  printableString,
  sequence,
  set,
  utcTime,
  utf8String,
  x509Time,
} from './der';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('DER encoder', () => {
  it('uses short-form lengths below 128 and minimal long form above', () => {
    expect(hex(encodeLength(0))).toBe('00');
    expect(hex(encodeLength(127))).toBe('7f');
    expect(hex(encodeLength(128))).toBe('8180');
    expect(hex(encodeLength(200))).toBe('81c8');
    expect(hex(encodeLength(300))).toBe('82012c');
    expect(hex(encodeLength(65536))).toBe('83010000');
    expect(() => encodeLength(-1)).toThrow(RangeError);
  });

  it('encodes integers in minimal two’s complement, padding a set high bit', () => {
    expect(hex(integer(0n))).toBe('020100');
    expect(hex(integer(2n))).toBe('020102');
    expect(hex(integer(127n))).toBe('02017f');
    expect(hex(integer(128n))).toBe('02020080');
    expect(hex(integer(256n))).toBe('02020100');
    expect(hex(integer(Uint8Array.of(0, 0, 0x01)))).toBe('020101');
    expect(hex(integer(Uint8Array.of(0xff)))).toBe('020200ff');
    expect(() => integer(-1n)).toThrow(RangeError);
  });

  it('encodes object identifiers with base-128 arcs', () => {
    // sha256WithRSAEncryption and commonName, as every X.509 dump shows them.
    expect(hex(objectIdentifier('1.2.840.113549.1.1.11'))).toBe('06092a864886f70d01010b');
    expect(hex(objectIdentifier('2.5.4.3'))).toBe('0603550403');
    expect(hex(objectIdentifier('2.5.29.19'))).toBe('0603551d13');
    expect(() => objectIdentifier('1.40.1')).toThrow(RangeError);
    expect(() => objectIdentifier('1.x')).toThrow(RangeError);
  });

  it('encodes the simple types', () => {
    expect(hex(nullValue())).toBe('0500');
    expect(hex(boolean(true))).toBe('0101ff');
    expect(hex(boolean(false))).toBe('010100');
    expect(hex(utf8String('é'))).toBe('0c02c3a9');
    expect(hex(printableString('AB'))).toBe('13024142');
    expect(() => printableString('a@b')).toThrow(RangeError);
    expect(hex(bitString(Uint8Array.of(0xab)))).toBe('030200ab');
    expect(hex(explicit(0, integer(2n)))).toBe('a003020102');
    expect(hex(sequence(integer(1n), nullValue()))).toBe('30050201010500');
  });

  it('sorts SET OF members by encoding', () => {
    expect(hex(set(integer(2n), integer(1n)))).toBe('3106020101020102');
  });

  it('formats UTCTime and GeneralizedTime in UTC with seconds', () => {
    const date = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));
    expect(Buffer.from(utcTime(date).subarray(2)).toString()).toBe('240102030405Z');
    expect(Buffer.from(generalizedTime(date).subarray(2)).toString()).toBe('20240102030405Z');
    expect(x509Time(date)[0]).toBe(0x17);
    expect(x509Time(new Date(Date.UTC(2050, 0, 1)))[0]).toBe(0x18);
    expect(() => utcTime(new Date(Date.UTC(2050, 0, 1)))).toThrow(RangeError);
  });
});
