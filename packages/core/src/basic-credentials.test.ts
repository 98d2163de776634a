import { describe, expect, it } from 'vitest';
import { basicAuthorization } from './basic-credentials';

describe('basicAuthorization', () => {
  it('encodes user-id and password as UTF-8 base64 (RFC 7617)', () => {
    expect(basicAuthorization('ci', 'pässword')).toBe('Basic Y2k6cMOkc3N3b3Jk');
    expect(basicAuthorization('a', '')).toBe('Basic YTo=');
    expect(basicAuthorization('user', 'p:a:ss')).toBe(`Basic ${btoa('user:p:a:ss')}`);
  });
});
