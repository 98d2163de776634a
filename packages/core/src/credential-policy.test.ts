import { describe, expect, it } from 'vitest';
import type { RegistryTarget } from './authenticator';
import { checkTokenRealm, isLoopbackHost } from './credential-policy';
import { InsecureCredentialsError } from './errors';

const target = (origin: string, plaintextAllowed = false): RegistryTarget => {
  const url = new URL(origin);
  return {
    origin: url.origin,
    host: url.host,
    protocol: url.protocol === 'http:' ? 'http' : 'https',
    plaintextAllowed,
  };
};

const hub = target('https://registry-1.docker.io');

function insecure(fn: () => unknown): InsecureCredentialsError {
  try {
    fn();
  } catch (error) {
    if (InsecureCredentialsError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected InsecureCredentialsError');
}

describe('isLoopbackHost', () => {
  it.each([
    'localhost',
    'LOCALHOST',
    'localhost:5000',
    '127.0.0.1',
    '127.0.0.1:5000',
    '127.255.255.254',
    '127.1',
    '::1',
    '[::1]',
    '[::1]:5000',
    '0:0:0:0:0:0:0:1',
    '[::ffff:127.0.0.1]',
  ])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each([
    '',
    '10.0.0.1',
    '128.0.0.1',
    '0.0.0.0',
    '::2',
    '[::ffff:10.0.0.1]',
    'localhost.example.com',
    'example.com',
    'evil.com@127.0.0.1',
    '127.0.0.1/x',
    '127.0.0.1.nip.io',
    'local host',
  ])('%s is not loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('checkTokenRealm', () => {
  it('accepts an https realm on another host and returns it parsed', () => {
    const url = checkTokenRealm('https://auth.docker.io/token', hub);
    expect(url.href).toBe('https://auth.docker.io/token');
  });

  it('checks the shape only: whether credentials may go in clear is the guard’s rule (checkAuthRequest)', () => {
    expect(checkTokenRealm('http://auth.example.com/token', hub).host).toBe('auth.example.com');
  });

  it('refuses user info, other schemes and unparsable realms', () => {
    const withUser = insecure(() => checkTokenRealm('https://alice:hunter2@auth.example.com/token', hub));
    expect(withUser.message).not.toContain('hunter2');
    expect(withUser.message).not.toContain('alice');
    expect(() => checkTokenRealm('file:///etc/passwd', hub)).toThrow(InsecureCredentialsError);
    expect(() => checkTokenRealm('javascript:alert(1)', hub)).toThrow(InsecureCredentialsError);
    expect(() => checkTokenRealm('/token', hub)).toThrow(InsecureCredentialsError);
    expect(() => checkTokenRealm('', hub)).toThrow(InsecureCredentialsError);
  });
});
