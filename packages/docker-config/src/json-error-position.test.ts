import { describe, expect, it } from 'vitest';
import { jsonErrorPosition } from './json-error-position';

describe('jsonErrorPosition', () => {
  it.each([
    ['{"a": 1,}', 1, 9],
    ['{\n  "auths": {\n    "x": {"auth": "abc"\n  }\n}', 5, 2],
    ['{\n\t"a": tru\n}', 2, 10],
    ['{"a": "line\nbreak"}', 1, 12],
    ['{"a": "\\x"}', 1, 9],
    ['{"a": 01}', 1, 8],
    ['{"a": 1} extra', 1, 10],
    ['[1, 2', 1, 6],
    ['{"a" 1}', 1, 6],
    ["{'a': 1}", 1, 2],
    ['', 1, 1],
    ['{"a": -}', 1, 8],
    ['{"a": 1.e5}', 1, 9],
  ])('finds the error in %j at line %i, column %i', (text, line, column) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(jsonErrorPosition(text)).toEqual({ line, column });
  });
});
