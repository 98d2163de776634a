import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from './errors/option-errors';
import { InvalidReferenceError, type InvalidReferenceReason } from './errors/reference-errors';
import {
  familiarMatch,
  familiarName,
  familiarString,
  isValidRepositoryName,
  isValidTag,
  parseAnyReference,
  parseDockerRef,
  parseImageName,
  parseNamed,
  parseNormalizedNamed,
  parseReference,
  REFERENCE_REGEXPS,
  type Reference,
  withDigest,
  withName,
  withTag,
} from './reference';

// Abbreviations of protocol.md §3.5.
const F64 = 'f'.repeat(64);
const F128 = 'f'.repeat(128);
const S = 'sha256:';
const Dr = 'sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c';
const Db = 'sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582';
const Dx = 'sha256:be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912';

function reasonOf(run: () => unknown): InvalidReferenceReason | 'no error' {
  try {
    run();
  } catch (error) {
    if (InvalidReferenceError.isInstance(error)) return error.reason;
    throw error;
  }
  return 'no error';
}

interface Parts {
  name: string;
  domain: string;
  tag?: string;
  digest?: string;
}

function partsOf(ref: Reference): Parts {
  return {
    name: ref.name,
    domain: ref.domain,
    ...(ref.tag === undefined ? {} : { tag: ref.tag }),
    ...(ref.digest === undefined ? {} : { digest: ref.digest }),
  };
}

describe('A. parseReference (TestReferenceParse)', () => {
  const ok: Array<[string, Parts]> = [
    ['test_com', { name: 'test_com', domain: '' }],
    ['test.com:tag', { name: 'test.com', domain: '', tag: 'tag' }],
    ['test.com:5000', { name: 'test.com', domain: '', tag: '5000' }],
    ['test.com/repo:tag', { name: 'test.com/repo', domain: 'test.com', tag: 'tag' }],
    ['test:5000/repo', { name: 'test:5000/repo', domain: 'test:5000' }],
    ['test:5000/repo:tag', { name: 'test:5000/repo', domain: 'test:5000', tag: 'tag' }],
    [`test:5000/repo@${S}${F64}`, { name: 'test:5000/repo', domain: 'test:5000', digest: S + F64 }],
    [`test:5000/repo:tag@${S}${F64}`, { name: 'test:5000/repo', domain: 'test:5000', tag: 'tag', digest: S + F64 }],
    // Upstream expects ErrDigestUnsupported only because its test binary does not link sha512.
    [`validname@sha512:${F128}`, { name: 'validname', domain: '', digest: `sha512:${F128}` }],
    // Upstream FIXME: an upper-case first component is taken as a domain.
    ['Uppercase/lowercase:tag', { name: 'Uppercase/lowercase', domain: 'Uppercase', tag: 'tag' }],
    ['lowercase:Uppercase', { name: 'lowercase', domain: '', tag: 'Uppercase' }],
    [`${'a/'.repeat(127)}a:tag-puts-this-over-max`, { name: `${'a/'.repeat(127)}a`, domain: 'a', tag: 'tag-puts-this-over-max' }],
    ['sub-dom1.foo.com/bar/baz/quux', { name: 'sub-dom1.foo.com/bar/baz/quux', domain: 'sub-dom1.foo.com' }],
    [
      'sub-dom1.foo.com/bar/baz/quux:some-long-tag',
      { name: 'sub-dom1.foo.com/bar/baz/quux', domain: 'sub-dom1.foo.com', tag: 'some-long-tag' },
    ],
    [
      'b.gcr.io/test.example.com/my-app:test.example.com',
      { name: 'b.gcr.io/test.example.com/my-app', domain: 'b.gcr.io', tag: 'test.example.com' },
    ],
    ['xn--n3h.com/myimage:xn--n3h.com', { name: 'xn--n3h.com/myimage', domain: 'xn--n3h.com', tag: 'xn--n3h.com' }],
    [
      `xn--7o8h.com/myimage:xn--7o8h.com@${S}${F64}`,
      { name: 'xn--7o8h.com/myimage', domain: 'xn--7o8h.com', tag: 'xn--7o8h.com', digest: S + F64 },
    ],
    ['foo_bar.com:8080', { name: 'foo_bar.com', domain: '', tag: '8080' }],
    ['foo/foo_bar.com:8080', { name: 'foo/foo_bar.com', domain: 'foo', tag: '8080' }],
    ['192.168.1.1', { name: '192.168.1.1', domain: '' }],
    ['192.168.1.1:tag', { name: '192.168.1.1', domain: '', tag: 'tag' }],
    ['192.168.1.1:5000', { name: '192.168.1.1', domain: '', tag: '5000' }],
    ['192.168.1.1/repo', { name: '192.168.1.1/repo', domain: '192.168.1.1' }],
    ['192.168.1.1:5000/repo', { name: '192.168.1.1:5000/repo', domain: '192.168.1.1:5000' }],
    ['192.168.1.1:5000/repo:5050', { name: '192.168.1.1:5000/repo', domain: '192.168.1.1:5000', tag: '5050' }],
    ['[2001:db8::1]/repo', { name: '[2001:db8::1]/repo', domain: '[2001:db8::1]' }],
    ['[2001:db8:1:2:3:4:5:6]/repo:tag', { name: '[2001:db8:1:2:3:4:5:6]/repo', domain: '[2001:db8:1:2:3:4:5:6]', tag: 'tag' }],
    ['[2001:db8::1]:5000/repo', { name: '[2001:db8::1]:5000/repo', domain: '[2001:db8::1]:5000' }],
    ['[2001:db8::1]:5000/repo:tag', { name: '[2001:db8::1]:5000/repo', domain: '[2001:db8::1]:5000', tag: 'tag' }],
    [`[2001:db8::1]:5000/repo@${S}${F64}`, { name: '[2001:db8::1]:5000/repo', domain: '[2001:db8::1]:5000', digest: S + F64 }],
    [
      `[2001:db8::1]:5000/repo:tag@${S}${F64}`,
      { name: '[2001:db8::1]:5000/repo', domain: '[2001:db8::1]:5000', tag: 'tag', digest: S + F64 },
    ],
    ['[2001:db8::]:5000/repo', { name: '[2001:db8::]:5000/repo', domain: '[2001:db8::]:5000' }],
    ['[::1]:5000/repo', { name: '[::1]:5000/repo', domain: '[::1]:5000' }],
    // The domain does not count towards the 255 limit (v0.6.0).
    [`example.com/${'a'.repeat(255)}:tag`, { name: `example.com/${'a'.repeat(255)}`, domain: 'example.com', tag: 'tag' }],
  ];

  it.each(ok)('parses %s', (input, expected) => {
    const ref = parseReference(input);
    expect(partsOf(ref)).toEqual(expected);
    expect(ref.toString()).toBe(input);
    expect(ref.path).toBe(expected.domain === '' ? expected.name : expected.name.slice(expected.domain.length + 1));
  });

  const failures: Array<[string, InvalidReferenceReason]> = [
    ['', 'NAME_EMPTY'],
    [':justtag', 'REFERENCE_INVALID_FORMAT'],
    [`@${S}${F64}`, 'REFERENCE_INVALID_FORMAT'],
    [`repo@sha256:${'f'.repeat(34)}`, 'DIGEST_INVALID_LENGTH'],
    [`validname@invaliddigest:${F64}`, 'DIGEST_UNSUPPORTED'],
    ['Uppercase:tag', 'NAME_CONTAINS_UPPERCASE'],
    ['test:5000/Uppercase/lowercase:tag', 'NAME_CONTAINS_UPPERCASE'],
    [`domain/${'a'.repeat(256)}:tag`, 'NAME_TOO_LONG'],
    ['aa/asdf$$^/aa', 'REFERENCE_INVALID_FORMAT'],
    ['[2001:db8::1]', 'REFERENCE_INVALID_FORMAT'],
    ['[2001:db8::1]:5000', 'REFERENCE_INVALID_FORMAT'],
    ['[2001:db8::1]:tag', 'REFERENCE_INVALID_FORMAT'],
    ['[fe80::1%eth0]:5000/repo', 'REFERENCE_INVALID_FORMAT'],
    ['[fe80::1%@invalidzone]:5000/repo', 'REFERENCE_INVALID_FORMAT'],
  ];

  it.each(failures)('rejects %j with %s', (input, reason) => {
    expect(reasonOf(() => parseReference(input))).toBe(reason);
  });

  it('uses the upstream error texts and names the input', () => {
    expect(() => parseReference('')).toThrow('invalid reference "": repository name must have at least one component');
    expect(() => parseReference('Uppercase:tag')).toThrow('repository name must be lowercase');
    expect(() => parseReference(`domain/${'a'.repeat(256)}`)).toThrow('repository name must not be more than 255 characters');
    expect(() => parseReference(':justtag')).toThrow('invalid reference ":justtag": invalid reference format');
    expect(() => parseReference(`repo@sha256:${'f'.repeat(34)}`)).toThrow(
      `invalid reference "repo@sha256:${'f'.repeat(34)}": invalid checksum digest length`,
    );
    expect(() => parseReference(`repo@sha256:${F64.toUpperCase()}`)).toThrow('invalid checksum digest format');
  });
});

describe('B. withName failures', () => {
  it.each<[string, InvalidReferenceReason]>([
    ['', 'REFERENCE_INVALID_FORMAT'],
    [':justtag', 'REFERENCE_INVALID_FORMAT'],
    [`@${S}${F64}`, 'REFERENCE_INVALID_FORMAT'],
    [`validname@invaliddigest:${F64}`, 'REFERENCE_INVALID_FORMAT'],
    ['example.com/repo:tag', 'REFERENCE_INVALID_FORMAT'],
    ['aa/asdf$$^/aa', 'REFERENCE_INVALID_FORMAT'],
    [`example.com/${'a'.repeat(256)}`, 'NAME_TOO_LONG'],
  ])('rejects %j with %s', (input, reason) => {
    expect(reasonOf(() => withName(input))).toBe(reason);
  });
});

describe('C. withName domain/path', () => {
  it.each([
    ['test.com/foo', 'test.com', 'foo'],
    ['test_com/foo', '', 'test_com/foo'],
    ['test:8080/foo', 'test:8080', 'foo'],
    ['test.com:8080/foo', 'test.com:8080', 'foo'],
    ['test-com:8080/foo', 'test-com:8080', 'foo'],
    ['xn--n3h.com:18080/foo', 'xn--n3h.com:18080', 'foo'],
  ])('%s → (%j, %j)', (input, domain, path) => {
    const ref = withName(input);
    expect([ref.domain, ref.path, ref.tag, ref.digest, ref.toString()]).toEqual([domain, path, undefined, undefined, input]);
  });
});

describe('D. withTag / withDigest', () => {
  const shortDigest = 'sha256:1234567890098765432112345667890098765';

  it.each([
    ['test.com/foo', 'tag', 'test.com/foo:tag'],
    ['foo', 'tag2', 'foo:tag2'],
    ['test.com:8000/foo', 'tag4', 'test.com:8000/foo:tag4'],
    ['test.com:8000/foo', 'TAG5', 'test.com:8000/foo:TAG5'],
  ])('withTag(%s, %s) → %s', (name, tag, expected) => {
    expect(withTag(withName(name), tag).toString()).toBe(expected);
  });

  it('withTag on a digested name keeps the digest', () => {
    const digested = withDigest(withName('test.com:8000/foo'), shortDigest);
    expect(withTag(digested, 'TAG5').toString()).toBe(`test.com:8000/foo:TAG5@${shortDigest}`);
  });

  it.each([
    ['test.com/foo', `test.com/foo@${shortDigest}`],
    ['foo', `foo@${shortDigest}`],
    ['test.com:8000/foo', `test.com:8000/foo@${shortDigest}`],
  ])('withDigest(%s) → %s (no length check)', (name, expected) => {
    expect(withDigest(withName(name), shortDigest).toString()).toBe(expected);
  });

  it('withDigest on a tagged name keeps the tag', () => {
    const tagged = withTag(withName('test.com:8000/foo'), 'latest');
    expect(withDigest(tagged, shortDigest).toString()).toBe(`test.com:8000/foo:latest@${shortDigest}`);
  });

  it('returns new references and leaves the original alone', () => {
    const base = parseReference('example.com/app:1');
    const retagged = withTag(base, '2');
    expect(base.toString()).toBe('example.com/app:1');
    expect(retagged.toString()).toBe('example.com/app:2');
  });

  it('uses the upstream error texts', () => {
    expect(() => withTag(withName('foo'), '.bad')).toThrow('invalid tag format');
    expect(() => withDigest(withName('foo'), 'sha256:xyz')).toThrow('invalid digest format');
  });
});

describe('E. parseNamed', () => {
  it.each([
    ['test.com/foo', 'test.com', 'foo'],
    ['test:8080/foo', 'test:8080', 'foo'],
    ['docker.io/library/foo', 'docker.io', 'library/foo'],
  ])('%s → (%s, %s)', (input, domain, path) => {
    const ref = parseNamed(input);
    expect([ref.domain, ref.path]).toEqual([domain, path]);
  });

  it.each(['test_com/foo', 'test.com', 'foo', 'library/foo', 'docker.io/foo'])('%s is not canonical', (input) => {
    expect(reasonOf(() => parseNamed(input))).toBe('NAME_NOT_CANONICAL');
    expect(() => parseNamed(input)).toThrow('repository name must be canonical');
  });
});

describe('F. parseNormalizedNamed validity', () => {
  const valid = [
    'docker/docker',
    'library/debian',
    'debian',
    'localhost/library/debian',
    'localhost/debian',
    'LOCALDOMAIN/library/debian',
    'LOCALDOMAIN/debian',
    'docker.io/docker/docker',
    'docker.io/library/debian',
    'docker.io/debian',
    'index.docker.io/docker/docker',
    'index.docker.io/library/debian',
    'index.docker.io/debian',
    '127.0.0.1:5000/docker/docker',
    '127.0.0.1:5000/library/debian',
    '127.0.0.1:5000/debian',
    '192.168.0.1',
    '192.168.0.1:80',
    '192.168.0.1:8/debian',
    '192.168.0.2:25000/debian',
    'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
    '[fc00::1]:5000/docker',
    '[fc00::1]:5000/docker/docker',
    '[fc00:1:2:3:4:5:6:7]:5000/library/debian',
    'docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a',
    'Docker/docker',
    'DOCKER/docker',
    'docker-rules/docker',
    'docker---rules/docker',
    'doc/docker',
    'd/docker',
    'jess/t',
    'dock__er/docker',
  ];

  it.each(valid)('accepts %s', (input) => {
    expect(reasonOf(() => parseNormalizedNamed(input))).toBe('no error');
  });

  it('treats a bare host:port as a Docker Hub image with a tag', () => {
    expect(partsOf(parseNormalizedNamed('192.168.0.1:80'))).toEqual({
      name: 'docker.io/library/192.168.0.1',
      domain: 'docker.io',
      tag: '80',
    });
  });

  const longNamespace = Array.from(
    { length: 4 },
    () => 'this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255',
  ).join('_');

  it.each<[string, InvalidReferenceReason]>([
    ['https://github.com/docker/docker', 'REFERENCE_INVALID_FORMAT'],
    ['docker/Docker', 'NAME_CONTAINS_UPPERCASE'],
    ['docker.io/docker/Docker', 'NAME_CONTAINS_UPPERCASE'],
    ['-docker', 'REFERENCE_INVALID_FORMAT'],
    ['-docker/docker', 'REFERENCE_INVALID_FORMAT'],
    ['-docker.io/docker/docker', 'REFERENCE_INVALID_FORMAT'],
    ['docker-/docker', 'REFERENCE_INVALID_FORMAT'],
    ['-docker-/docker', 'REFERENCE_INVALID_FORMAT'],
    ['docker///docker', 'REFERENCE_INVALID_FORMAT'],
    ['docker.io/docker///docker', 'REFERENCE_INVALID_FORMAT'],
    ['[fc00::1]', 'REFERENCE_INVALID_FORMAT'],
    ['[fc00::1]:5000', 'REFERENCE_INVALID_FORMAT'],
    ['fc00::1:5000/debian', 'REFERENCE_INVALID_FORMAT'],
    ['[fe80::1%eth0]:5000/debian', 'REFERENCE_INVALID_FORMAT'],
    ['[2001:db8:3:4::192.0.2.33]:5000/debian', 'REFERENCE_INVALID_FORMAT'],
    ['1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a', 'NAME_IS_IDENTIFIER'],
    ['____/____', 'REFERENCE_INVALID_FORMAT'],
    ['_docker/_docker', 'REFERENCE_INVALID_FORMAT'],
    ['dock..er/docker', 'REFERENCE_INVALID_FORMAT'],
    ['dock_.er/docker', 'REFERENCE_INVALID_FORMAT'],
    ['dock-.er/docker', 'REFERENCE_INVALID_FORMAT'],
    ['docker/', 'REFERENCE_INVALID_FORMAT'],
    [`${longNamespace}/docker`, 'NAME_TOO_LONG'],
  ])('rejects %s with %s', (input, reason) => {
    expect(reasonOf(() => parseNormalizedNamed(input))).toBe(reason);
  });

  it('reports errors against the input as given, with the upstream texts', () => {
    const identifier = '1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a';
    expect(() => parseNormalizedNamed(identifier)).toThrow(
      `invalid repository name (${identifier}), cannot specify 64-byte hexadecimal strings`,
    );
    expect(() => parseNormalizedNamed('docker/Docker:Tag')).toThrow(
      'invalid reference format: repository name (docker/Docker) must be lowercase',
    );
    try {
      parseNormalizedNamed('-docker');
      expect.unreachable();
    } catch (error) {
      // Not the normalised 'docker.io/library/-docker' that was actually parsed.
      expect((error as InvalidReferenceError).input).toBe('-docker');
    }
  });
});

describe('G. familiar, full and ambiguous forms (TestParseRepositoryInfo)', () => {
  const rows: Array<[familiar: string, full: string, ambiguous: string | undefined, domain: string, path: string]> = [
    ['localhost/fooo', 'localhost/fooo', 'localhost/fooo', 'localhost', 'fooo'],
    ['localhost/fooo/bar', 'localhost/fooo/bar', 'localhost/fooo/bar', 'localhost', 'fooo/bar'],
    ['LOCALDOMAIN/fooo', 'LOCALDOMAIN/fooo', 'LOCALDOMAIN/fooo', 'LOCALDOMAIN', 'fooo'],
    ['LOCALDOMAIN/fooo/bar', 'LOCALDOMAIN/fooo/bar', 'LOCALDOMAIN/fooo/bar', 'LOCALDOMAIN', 'fooo/bar'],
    ['fooo/bar', 'docker.io/fooo/bar', 'index.docker.io/fooo/bar', 'docker.io', 'fooo/bar'],
    ['ubuntu', 'docker.io/library/ubuntu', 'library/ubuntu', 'docker.io', 'library/ubuntu'],
    ['nonlibrary/ubuntu', 'docker.io/nonlibrary/ubuntu', undefined, 'docker.io', 'nonlibrary/ubuntu'],
    ['other/library', 'docker.io/other/library', undefined, 'docker.io', 'other/library'],
    ['127.0.0.1:8000/private/moonbase', '127.0.0.1:8000/private/moonbase', undefined, '127.0.0.1:8000', 'private/moonbase'],
    ['127.0.0.1:8000/privatebase', '127.0.0.1:8000/privatebase', undefined, '127.0.0.1:8000', 'privatebase'],
    ['example.com/private/moonbase', 'example.com/private/moonbase', undefined, 'example.com', 'private/moonbase'],
    ['example.com/privatebase', 'example.com/privatebase', undefined, 'example.com', 'privatebase'],
    ['example.com:8000/private/moonbase', 'example.com:8000/private/moonbase', undefined, 'example.com:8000', 'private/moonbase'],
    ['example.com:8000/privatebasee', 'example.com:8000/privatebasee', undefined, 'example.com:8000', 'privatebasee'],
    [
      'ubuntu-12.04-base',
      'docker.io/library/ubuntu-12.04-base',
      'index.docker.io/library/ubuntu-12.04-base',
      'docker.io',
      'library/ubuntu-12.04-base',
    ],
    ['foo', 'docker.io/library/foo', 'docker.io/foo', 'docker.io', 'library/foo'],
    ['library/foo/bar', 'docker.io/library/foo/bar', undefined, 'docker.io', 'library/foo/bar'],
    ['store/foo/bar', 'docker.io/store/foo/bar', undefined, 'docker.io', 'store/foo/bar'],
    ['Foo/bar', 'Foo/bar', undefined, 'Foo', 'bar'],
    ['FOO/bar', 'FOO/bar', undefined, 'FOO', 'bar'],
  ];

  it.each(rows)('%s', (familiar, full, ambiguous, domain, path) => {
    for (const input of [familiar, full, ambiguous]) {
      if (input === undefined) continue;
      const ref = parseNormalizedNamed(input);
      expect([
        familiarName(ref),
        ref.familiarName(),
        familiarString(ref),
        ref.name,
        ref.toString(),
        ref.domain,
        ref.path,
      ]).toEqual([familiar, familiar, familiar, full, full, domain, path]);
    }
  });
});

describe('H. tag plus digest', () => {
  it('normalises and prints back the familiar form', () => {
    const input = 'busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa';
    const ref = parseNormalizedNamed(input);
    expect(ref.toString()).toBe(`docker.io/library/${input}`);
    expect(ref.tag).toBe('latest');
    expect(ref.digest).toBe('sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa');
    expect(familiarString(ref)).toBe(input);
    expect(ref.familiarString()).toBe(input);
  });
});

describe('I. invalid components', () => {
  it('rejects them', () => {
    const busybox = parseNormalizedNamed('busybox');
    expect(reasonOf(() => parseNormalizedNamed('-foo'))).toBe('REFERENCE_INVALID_FORMAT');
    expect(reasonOf(() => withTag(busybox, '-foo'))).toBe('TAG_INVALID_FORMAT');
    expect(reasonOf(() => withDigest(busybox, 'foo'))).toBe('DIGEST_INVALID_FORMAT');
  });
});

describe('J. parseAnyReference', () => {
  const hex = Dr.slice(S.length);
  it.each([
    ['redis', 'docker.io/library/redis'],
    ['redis:latest', 'docker.io/library/redis:latest'],
    ['docker.io/library/redis:latest', 'docker.io/library/redis:latest'],
    [`redis@${Dr}`, `docker.io/library/redis@${Dr}`],
    [`docker.io/library/redis@${Dr}`, `docker.io/library/redis@${Dr}`],
    ['dmcgowan/myapp', 'docker.io/dmcgowan/myapp'],
    ['dmcgowan/myapp:latest', 'docker.io/dmcgowan/myapp:latest'],
    ['docker.io/mcgowan/myapp:latest', 'docker.io/mcgowan/myapp:latest'],
    [`dmcgowan/myapp@${Dr}`, `docker.io/dmcgowan/myapp@${Dr}`],
    [`docker.io/dmcgowan/myapp@${Dr}`, `docker.io/dmcgowan/myapp@${Dr}`],
    [hex.slice(0, 63), `docker.io/library/${hex.slice(0, 63)}`],
    ['dbcc1', 'docker.io/library/dbcc1'],
  ])('%s → named %s', (input, expected) => {
    const ref = parseAnyReference(input);
    expect(ref.kind).toBe('named');
    expect(ref.toString()).toBe(expected);
  });

  it.each([hex, Dr])('%s → digest reference', (input) => {
    const ref = parseAnyReference(input);
    expect(ref).toMatchObject({ kind: 'digest', digest: Dr });
    expect(ref.toString()).toBe(Dr);
    expect(familiarString(ref)).toBe(Dr);
    expect(JSON.stringify(ref)).toBe(JSON.stringify(Dr));
  });

  it('falls through to name parsing for a malformed digest-like input', () => {
    // `sha256:abc` is not a digest, so it is the image `sha256` with tag `abc`.
    expect(parseAnyReference('sha256:abc').toString()).toBe('docker.io/library/sha256:abc');
  });
});

describe('K. familiarMatch', () => {
  it.each<[string, string, boolean]>([
    ['foo', 'foo/**/ba[rz]', false],
    ['foo/any/bat', 'foo/**/ba[rz]', false],
    ['foo/a/bar', 'foo/**/ba[rz]', true],
    ['foo/b/baz', 'foo/**/ba[rz]', true],
    ['foo/c/baz:tag', 'foo/**/ba[rz]', true],
    ['foo/c/baz:tag', 'foo/*/baz:tag', true],
    ['foo/c/baz:tag', 'foo/c/baz:tag', true],
    ['example.com/foo/c/baz:tag', '*/foo/c/baz', true],
    ['example.com/foo/c/baz:tag', 'example.com/foo/c/baz', true],
  ])('%s against %s → %s', (input, pattern, expected) => {
    expect(familiarMatch(pattern, parseNormalizedNamed(input))).toBe(expected);
  });

  it('reports a malformed pattern', () => {
    expect(() => familiarMatch('[-x]', parseNormalizedNamed('foo'))).toThrow(InvalidOptionError);
    expect(() => familiarMatch('[-x]', parseNormalizedNamed('foo'))).toThrow('syntax error in pattern "[-x]"');
  });

  // Behaviour of Go's path.Match, which FamiliarMatch is defined by.
  it.each<[string, string, boolean | 'bad']>([
    ['abc', 'abc', true],
    ['*', 'abc', true],
    ['*c', 'abc', true],
    ['a*', 'a', true],
    ['a*', 'ab/c', false],
    ['a*/b', 'abc/b', true],
    ['a*/b', 'a/c/b', false],
    ['a*b*c*d*e*/f', 'axbxcxdxe/f', true],
    ['a*b*c*d*e*/f', 'axbxcxdxexxx/fff', false],
    ['a*b?c*x', 'abxbbxdbxebxczzx', true],
    ['a*b?c*x', 'abxbbxdbxebxczzy', false],
    ['ab[c]', 'abc', true],
    ['ab[b-d]', 'abc', true],
    ['ab[e-g]', 'abc', false],
    ['ab[^c]', 'abc', false],
    ['ab[^b-d]', 'abc', false],
    ['ab[^e-g]', 'abc', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'ab', false],
    ['a?b', 'a☺b', true],
    ['a[^a]b', 'a☺b', true],
    ['a???b', 'a☺b', false],
    ['a[^a][^a][^a]b', 'a☺b', false],
    ['[a-ζ]*', 'α', true],
    ['*[a-ζ]', 'A', false],
    ['a?b', 'a/b', false],
    ['a*b', 'a/b', false],
    ['[\\]a]', ']', true],
    ['[\\-]', '-', true],
    ['[x\\-]', 'x', true],
    ['[x\\-]', '-', true],
    ['[x\\-]', 'z', false],
    ['[\\-x]', 'a', false],
    ['*x', 'xxx', true],
    // Each star takes the first place its chunk fits, as in Go: no full backtracking.
    ['*[/a]*c', 'a/c', false],
    ['[]a]', ']', 'bad'],
    ['[-]', '-', 'bad'],
    ['[x-]', 'x', 'bad'],
    ['[-x]', 'x', 'bad'],
    ['\\', 'a', 'bad'],
    ['[a-b-c]', 'a', 'bad'],
    ['[', 'a', 'bad'],
    ['[^', 'a', 'bad'],
    ['[^bc', 'a', 'bad'],
    ['a[', 'a', 'bad'],
    ['a[', 'ab', 'bad'],
    ['a[', 'x', 'bad'],
    ['a/b[', 'x', 'bad'],
    ['*x[', 'a', 'bad'],
  ])('path.Match(%j, %j) → %s', (pattern, name, expected) => {
    // A digest-only reference matches on its string alone, which makes it a
    // direct probe of the matcher.
    const ref = { kind: 'digest', digest: name, toString: () => name, toJSON: () => name } as const;
    if (expected === 'bad') expect(() => familiarMatch(pattern, ref)).toThrow(InvalidOptionError);
    else expect(familiarMatch(pattern, ref)).toBe(expected);
  });
});

describe('L. parseDockerRef', () => {
  it.each([
    ['busybox', 'docker.io/library/busybox:latest'],
    ['busybox:latest', 'docker.io/library/busybox:latest'],
    ['library/busybox', 'docker.io/library/busybox:latest'],
    ['docker.io/busybox', 'docker.io/library/busybox:latest'],
    ['docker.io/library/busybox', 'docker.io/library/busybox:latest'],
    ['docker.io/busybox:latest', 'docker.io/library/busybox:latest'],
    ['library/busybox:latest', 'docker.io/library/busybox:latest'],
    ['docker.io/library/busybox:latest', 'docker.io/library/busybox:latest'],
    [`busybox@${Db}`, `docker.io/library/busybox@${Db}`],
    ['gcr.io/library/busybox', 'gcr.io/library/busybox:latest'],
    [`gcr.io/library/busybox:latest@${Db}`, `gcr.io/library/busybox@${Db}`],
  ])('%s → %s', (input, expected) => {
    const ref = parseDockerRef(input);
    expect(ref.toString()).toBe(expected);
    expect(ref.tag === undefined || ref.digest === undefined).toBe(true);
  });
});

describe('M. parseNormalizedNamed domain/path (TestNormalizedSplitHostname)', () => {
  it.each([
    ['test.com/foo', 'test.com', 'foo'],
    ['test_com/foo', 'docker.io', 'test_com/foo'],
    ['docker/migrator', 'docker.io', 'docker/migrator'],
    ['test.com:8080/foo', 'test.com:8080', 'foo'],
    ['test-com:8080/foo', 'test-com:8080', 'foo'],
    ['foo', 'docker.io', 'library/foo'],
    ['xn--n3h.com/foo', 'xn--n3h.com', 'foo'],
    ['xn--n3h.com:18080/foo', 'xn--n3h.com:18080', 'foo'],
    ['docker.io/foo', 'docker.io', 'library/foo'],
    ['docker.io/library/foo', 'docker.io', 'library/foo'],
    ['docker.io/library/foo/bar', 'docker.io', 'library/foo/bar'],
  ])('%s → (%s, %s)', (input, domain, path) => {
    const ref = parseNormalizedNamed(input);
    expect([ref.domain, ref.path]).toEqual([domain, path]);
  });
});

describe('N. domain regexp', () => {
  it.each([
    'test.com',
    'test.com:10304',
    'localhost',
    'localhost:8080',
    'a',
    'a.b',
    'ab.cd.com',
    'a-b.com',
    'ab.c-om',
    '0101.com',
    '001a.com',
    'b.gbc.io:443',
    'b.gbc.io',
    'xn--n3h.com',
    'Asdf.com',
    '192.168.1.1:75050',
    '192.168.1.1:750050',
    '[fd00:1:2::3]:75050',
    '[fd00123123123]:75050',
    '[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:75050',
    '[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:750505',
  ])('matches %s', (input) => {
    expect(REFERENCE_REGEXPS.anchoredDomain.test(input)).toBe(true);
  });

  it.each([
    'test.com:http',
    '-ab.com',
    'ab-.com',
    'ab.-com',
    'ab.com-',
    '[fd00:1:2::3]75050',
    '[fd00:1:2::3]::75050',
    '[fd00:1:2::3%eth0]:75050',
    'fd00:1:2::3:75050',
  ])('does not match %s', (input) => {
    expect(REFERENCE_REGEXPS.anchoredDomain.test(input)).toBe(false);
  });
});

describe('O. anchored-name regexp', () => {
  const rows: Array<[string, [string, string] | 'no']> = [
    ['', 'no'],
    ['short', ['', 'short']],
    ['simple/name', ['simple', 'name']],
    ['library/ubuntu', ['library', 'ubuntu']],
    ['docker/stevvooe/app', ['docker', 'stevvooe/app']],
    ['aa/aa/aa/aa/aa/aa/aa/aa/aa/bb/bb/bb/bb/bb/bb', ['aa', 'aa/aa/aa/aa/aa/aa/aa/aa/bb/bb/bb/bb/bb/bb']],
    ['aa/aa/bb/bb/bb', ['aa', 'aa/bb/bb/bb']],
    ['a/a/a/a', ['a', 'a/a/a']],
    ['a/a/a/a/', 'no'],
    ['a//a/a', 'no'],
    ['a', ['', 'a']],
    ['a/aa', ['a', 'aa']],
    ['a/aa/a', ['a', 'aa/a']],
    ['foo.com', ['', 'foo.com']],
    ['foo.com/', 'no'],
    ['foo.com:8080/bar', ['foo.com:8080', 'bar']],
    ['foo.com:http/bar', 'no'],
    ['foo.com/bar', ['foo.com', 'bar']],
    ['foo.com/bar/baz', ['foo.com', 'bar/baz']],
    ['localhost:8080/bar', ['localhost:8080', 'bar']],
    ['sub-dom1.foo.com/bar/baz/quux', ['sub-dom1.foo.com', 'bar/baz/quux']],
    ['blog.foo.com/bar/baz', ['blog.foo.com', 'bar/baz']],
    ['a^a', 'no'],
    ['aa/asdf$$^/aa', 'no'],
    ['asdf$$^/aa', 'no'],
    ['aa-a/a', ['aa-a', 'a']],
    [`${'a/'.repeat(128)}a`, ['a', `${'a/'.repeat(127)}a`]],
    ['a-/a/a/a', 'no'],
    ['foo.com/a-/a/a', 'no'],
    ['-foo/bar', 'no'],
    ['foo/bar-', 'no'],
    ['foo-/bar', 'no'],
    ['foo/-bar', 'no'],
    ['_foo/bar', 'no'],
    ['foo_bar', ['', 'foo_bar']],
    ['foo_bar.com', ['', 'foo_bar.com']],
    ['foo_bar.com:8080', 'no'],
    ['foo_bar.com:8080/app', 'no'],
    ['foo.com/foo_bar', ['foo.com', 'foo_bar']],
    ['____/____', 'no'],
    ['_docker/_docker', 'no'],
    ['docker_/docker_', 'no'],
    ['b.gcr.io/test.example.com/my-app', ['b.gcr.io', 'test.example.com/my-app']],
    ['xn--n3h.com/myimage', ['xn--n3h.com', 'myimage']],
    ['xn--7o8h.com/myimage', ['xn--7o8h.com', 'myimage']],
    ['example.com/xn--7o8h.com/myimage', ['example.com', 'xn--7o8h.com/myimage']],
    ['example.com/some_separator__underscore/myimage', ['example.com', 'some_separator__underscore/myimage']],
    ['example.com/__underscore/myimage', 'no'],
    ['example.com/..dots/myimage', 'no'],
    ['example.com/.dots/myimage', 'no'],
    ['example.com/nodouble..dots/myimage', 'no'],
    ['docker./docker', 'no'],
    ['.docker/docker', 'no'],
    ['docker-/docker', 'no'],
    ['-docker/docker', 'no'],
    ['do..cker/docker', 'no'],
    ['do__cker:8080/docker', 'no'],
    ['do__cker/docker', ['', 'do__cker/docker']],
    [
      'registry.io/foo/project--id.module--name.ver---sion--name',
      ['registry.io', 'foo/project--id.module--name.ver---sion--name'],
    ],
  ];

  it.each(rows)('%j → %j', (input, expected) => {
    const match = REFERENCE_REGEXPS.anchoredName.exec(input);
    expect(match === null ? 'no' : [match[1] ?? '', match[2]]).toEqual(expected);
    // withName is this regexp plus the length limit, which no row reaches.
    if (expected === 'no') expect(reasonOf(() => withName(input))).toBe('REFERENCE_INVALID_FORMAT');
    else expect([withName(input).domain, withName(input).path]).toEqual(expected);
  });
});

describe('P. reference regexp groups', () => {
  const rows: Array<[string, [string, string, string] | 'no']> = [
    ['registry.com:8080/myapp:tag', ['registry.com:8080/myapp', 'tag', '']],
    [`registry.com:8080/myapp@${Dx}`, ['registry.com:8080/myapp', '', Dx]],
    [`registry.com:8080/myapp:tag2@${Dx}`, ['registry.com:8080/myapp', 'tag2', Dx]],
    ['registry.com:8080/myapp@sha256:badbadbadbad', 'no'],
    ['registry.com:8080/myapp:invalid~tag', 'no'],
    ['bad_hostname.com:8080/myapp:tag', 'no'],
    [`localhost:8080@${Dx}`, ['localhost', '8080', Dx]],
    [`localhost:8080/name@${Dx}`, ['localhost:8080/name', '', Dx]],
    [`localhost:http/name@${Dx}`, 'no'],
    ['registry.com:8080/myapp@bad', 'no'],
  ];

  it.each(rows)('%s → %j', (input, expected) => {
    const match = REFERENCE_REGEXPS.reference.exec(input);
    expect(match === null ? 'no' : [match[1], match[2] ?? '', match[3] ?? '']).toEqual(expected);
    // parseReference agrees (every digest here is a valid sha256).
    if (expected === 'no') expect(reasonOf(() => parseReference(input))).toBe('REFERENCE_INVALID_FORMAT');
    else
      expect([parseReference(input).name, parseReference(input).tag ?? '', parseReference(input).digest ?? '']).toEqual(expected);
  });
});

describe('Q. identifier regexp', () => {
  const id = 'da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf9821';

  it('matches exactly 64 lower-hex characters', () => {
    expect(REFERENCE_REGEXPS.anchoredIdentifier.test(id)).toBe(true);
    for (const other of [id.toUpperCase(), id.slice(0, 60), `sha256:${id}`, `${id}abcd`]) {
      expect(REFERENCE_REGEXPS.anchoredIdentifier.test(other)).toBe(false);
    }
  });
});

describe('R. JSON round trip (TestSerialization)', () => {
  it('rejects the empty string', () => {
    expect(reasonOf(() => parseReference(''))).toBe('NAME_EMPTY');
  });

  it.each<[string, Parts]>([
    ['example.com:8000/named', { name: 'example.com:8000/named', domain: 'example.com:8000' }],
    ['example.com:8000/named:tagged', { name: 'example.com:8000/named', domain: 'example.com:8000', tag: 'tagged' }],
    [
      'other.com/named@sha256:1234567890098765432112345667890098765432112345667890098765432112',
      {
        name: 'other.com/named',
        domain: 'other.com',
        digest: 'sha256:1234567890098765432112345667890098765432112345667890098765432112',
      },
    ],
  ])('%s', (input, expected) => {
    const json = JSON.stringify({ field: parseReference(input) });
    expect(json).toBe(JSON.stringify({ field: input }));
    const back = parseReference((JSON.parse(json) as { field: string }).field);
    expect(partsOf(back)).toEqual(expected);
  });
});

describe('parseImageName (the seed API)', () => {
  it.each([
    ['golang', { domain: 'docker.io', path: 'library/golang', tag: '', digest: '' }],
    ['golang:1.22', { domain: 'docker.io', path: 'library/golang', tag: '1.22', digest: '' }],
    [`golang@${Db}`, { domain: 'docker.io', path: 'library/golang', tag: '', digest: Db }],
    [`golang:1.22@${Db}`, { domain: 'docker.io', path: 'library/golang', tag: '1.22', digest: Db }],
    ['index.docker.io/user/app', { domain: 'docker.io', path: 'user/app', tag: '', digest: '' }],
    ['localhost:5000/team/app:v1', { domain: 'localhost:5000', path: 'team/app', tag: 'v1', digest: '' }],
    ['127.0.0.1:5000/app', { domain: '127.0.0.1:5000', path: 'app', tag: '', digest: '' }],
    ['[::1]:5000/app', { domain: '[::1]:5000', path: 'app', tag: '', digest: '' }],
  ])('%s', (input, expected) => {
    expect(parseImageName(input)).toEqual(expected);
  });

  it('validates the digest like go-digest', () => {
    expect(reasonOf(() => parseImageName('golang@sha256:abcdefabcdefabcdefabcdefabcdefabcdef'))).toBe('DIGEST_INVALID_LENGTH');
    expect(reasonOf(() => parseImageName(`golang@${Db.toUpperCase().replace('SHA256', 'sha256')}`))).toBe(
      'DIGEST_INVALID_FORMAT',
    );
  });
});

describe('isValidTag', () => {
  it.each([
    ['latest', true],
    ['v1.2.3', true],
    ['_private', true],
    ['1', true],
    ['A-b_c.d', true],
    ['a'.repeat(128), true],
    ['a'.repeat(129), false],
    ['', false],
    ['.hidden', false],
    ['-rc', false],
    ['a:b', false],
    ['a/b', false],
    ['tag~1', false],
    ['täg', false],
    ['tag\n', false],
  ])('%j → %s', (tag, expected) => {
    expect(isValidTag(tag)).toBe(expected);
  });
});

describe('isValidRepositoryName', () => {
  it.each([
    ['alpine', true],
    ['library/alpine', true],
    ['a/b/c/d', true],
    ['my-org/my.app_v2', true],
    ['dock__er/x', true],
    ['a---b', true],
    ['a'.repeat(300), true],
    ['', false],
    ['Library/alpine', false],
    ['localhost:5000/app', false],
    ['a//b', false],
    ['a/', false],
    ['/a', false],
    ['a..b', false],
    ['a___b', false],
    ['-a', false],
    ['a-', false],
    ['a:tag', false],
    ['a@sha256:x', false],
    ['a/../b', false],
    ['a%2fb', false],
    ['alpine\n', false],
  ])('%j → %s', (name, expected) => {
    expect(isValidRepositoryName(name)).toBe(expected);
  });
});

describe('Reference objects', () => {
  it('are immutable', () => {
    const ref = parseNormalizedNamed('alpine:3');
    expect(Object.isFrozen(ref)).toBe(true);
    expect(() => {
      (ref as { tag?: string }).tag = 'edge';
    }).toThrow(TypeError);
    expect(ref.tag).toBe('3');
  });

  it('leave absent parts off rather than setting them to undefined', () => {
    const ref = parseReference('example.com/app');
    expect('tag' in ref).toBe(false);
    expect('digest' in ref).toBe(false);
    expect({ ...ref }).toEqual({ kind: 'named', domain: 'example.com', path: 'app', name: 'example.com/app' });
  });

  it('throw InvalidReferenceError, recognisable with isInstance', () => {
    let caught: unknown;
    try {
      parseReference('UPPER');
    } catch (error) {
      caught = error;
    }
    expect(InvalidReferenceError.isInstance(caught)).toBe(true);
    expect(caught).toMatchObject({ name: 'InvalidReferenceError', input: 'UPPER', reason: 'NAME_CONTAINS_UPPERCASE' });
  });

  it('round-trip through toString for generated references', () => {
    const component = fc.stringMatching(/^[a-z0-9]{1,5}(?:(?:[._]|__|-{1,3})[a-z0-9]{1,5}){0,2}$/);
    const domain = fc.oneof(
      fc.constant(''),
      fc.constantFrom('example.com', 'localhost:5000', '127.0.0.1:5000', '[::1]:5000', 'Host.Example:443'),
    );
    const tag = fc.option(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/), { nil: undefined });
    const digest = fc.option(
      fc.stringMatching(/^[0-9a-f]{64}$/).map((h) => `sha256:${h}`),
      { nil: undefined },
    );
    fc.assert(
      fc.property(domain, fc.array(component, { minLength: 1, maxLength: 4 }), tag, digest, (d, components, t, dg) => {
        const path = components.join('/');
        const input = `${d === '' ? '' : `${d}/`}${path}${t === undefined ? '' : `:${t}`}${dg === undefined ? '' : `@${dg}`}`;
        const ref = parseReference(input);
        // Without a domain, a first component that looks like a host is one.
        const expectedDomain =
          d === '' && components.length > 1 && REFERENCE_REGEXPS.anchoredDomain.test(components[0] ?? '') ? components[0] : d;
        expect(ref.toString()).toBe(input);
        expect(ref.domain).toBe(expectedDomain);
        expect([ref.tag, ref.digest]).toEqual([t, dg]);
        expect(parseReference(ref.toString()).toString()).toBe(input);
      }),
    );
  });
});

describe('grammar implementation', () => {
  it('splits domain and path in one pass exactly as Go does in two', () => {
    // Weighted towards alphanumerics so that a fair share of inputs match
    // and some have a domain; the rest probe the failure paths.
    const token = fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom('a', 'b1', 'ab') },
      { weight: 3, arbitrary: fc.constant('/') },
      { weight: 3, arbitrary: fc.constantFrom('.', '-', '_', '__', ':') },
      { weight: 1, arbitrary: fc.constantFrom('A', '[::1]', ':80', `@sha256:${'a'.repeat(32)}`, '!', '//') },
    );
    const input = fc.array(token, { maxLength: 12 }).map((tokens) => tokens.join(''));
    fc.assert(
      fc.property(input, (s) => {
        const single = REFERENCE_REGEXPS.splitReference.exec(s);
        const whole = REFERENCE_REGEXPS.reference.exec(s);
        expect(single === null).toBe(whole === null);
        if (single === null || whole === null) return;
        const name = REFERENCE_REGEXPS.anchoredName.exec(whole[1] ?? '');
        expect([single[1], single[2], single[3], single[4]]).toEqual([name?.[1], name?.[2], whole[2], whole[3]]);
      }),
      { numRuns: 3000 },
    );
  });

  it('does not backtrack catastrophically on long hostile input', () => {
    const hostile = [
      `${'a'.repeat(50_000)}!`,
      `${'a-'.repeat(25_000)}!`,
      `${'a/'.repeat(25_000)}!`,
      `${'a.'.repeat(25_000)}a:1/!`,
      `${'a__'.repeat(15_000)}!`,
      `a:${'1'.repeat(50_000)}/b!`,
      `[${':'.repeat(50_000)}!`,
      `a@${'a'.repeat(50_000)}`,
    ];
    const started = performance.now();
    for (const s of hostile) {
      expect(reasonOf(() => parseReference(s))).not.toBe('no error');
      expect(reasonOf(() => parseNormalizedNamed(s))).not.toBe('no error');
      expect(reasonOf(() => withName(s))).not.toBe('no error');
    }
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
