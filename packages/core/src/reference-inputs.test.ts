import { describe, expect, it } from 'vitest';
import { assertDigest, isDigest, parseDigest } from './digest';
import { InvalidOptionError, InvalidReferenceError } from './errors';
import {
  familiarMatch,
  isValidRepositoryName,
  isValidTag,
  parseAnyReference,
  parseDockerRef,
  parseImageName,
  parseNamed,
  parseNormalizedNamed,
  parseReference,
  withDigest,
  withName,
  withTag,
} from './reference';

// What plain-JS callers and parsed JSON hand over instead of a string.
const NON_STRINGS: readonly unknown[] = [
  undefined,
  null,
  42,
  true,
  {},
  ['alpine'],
  Object.create(null),
  Symbol('x'),
  () => 'alpine',
];

const PARSERS: ReadonlyArray<[string, (value: never) => unknown]> = [
  ['parseReference', parseReference],
  ['parseNormalizedNamed', parseNormalizedNamed],
  ['parseNamed', parseNamed],
  ['parseDockerRef', parseDockerRef],
  ['parseAnyReference', parseAnyReference],
  ['parseImageName', parseImageName],
  ['withName', withName],
  ['withTag', (tag) => withTag(parseReference('example.com/app'), tag)],
  ['withDigest', (digest) => withDigest(parseReference('example.com/app'), digest)],
  ['parseDigest', parseDigest],
  ['assertDigest', assertDigest],
];

describe('non-string input to the parse functions', () => {
  for (const [name, parse] of PARSERS) {
    it(`${name} throws InvalidReferenceError, not a TypeError`, () => {
      for (const value of NON_STRINGS) {
        let thrown: unknown;
        try {
          parse(value as never);
        } catch (error) {
          thrown = error;
        }
        expect(InvalidReferenceError.isInstance(thrown), `${name}(${typeof value})`).toBe(true);
      }
    });
  }

  it('the predicates answer false instead of coercing (123 is not the tag "123")', () => {
    for (const value of [123, ['v1'], { toString: () => 'v1' }]) {
      expect(isValidTag(value as never)).toBe(false);
      expect(isValidRepositoryName(value as never)).toBe(false);
      expect(isDigest(value)).toBe(false);
    }
  });

  it('familiarMatch refuses a non-string pattern with InvalidOptionError', () => {
    expect(() => familiarMatch(undefined as never, parseNormalizedNamed('alpine'))).toThrow(InvalidOptionError);
  });

  it('the error names what was expected', () => {
    expect(() => parseImageName(42 as never)).toThrow(/must be a string, got number/);
  });
});

describe('huge input', () => {
  it('is quoted cut in the message and kept whole in `input`', () => {
    const huge = `a${'/b'.repeat(50_000)}:tag`;
    let error: unknown;
    try {
      parseImageName(huge);
    } catch (caught) {
      error = caught;
    }
    expect(InvalidReferenceError.isInstance(error)).toBe(true);
    expect((error as InvalidReferenceError).input).toBe(huge);
    expect((error as Error).message.length).toBeLessThan(600);
    expect((error as Error).message).toContain(`… (${huge.length} characters)`);
  });
});
