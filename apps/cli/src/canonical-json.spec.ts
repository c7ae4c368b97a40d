import { canonicalJson, canonicalSha256 } from './canonical-json';

describe('canonicalJson', () => {
  it('sorts keys recursively and drops undefined, so equal content gives equal bytes', () => {
    const a = { b: 1, a: { d: [{ y: 1, x: 2 }], c: null }, u: undefined };
    const b = { a: { c: null, d: [{ x: 2, y: 1 }] }, b: 1 };
    expect(canonicalJson(a)).toBe('{"a":{"c":null,"d":[{"x":2,"y":1}]},"b":1}');
    expect(canonicalSha256(a)).toBe(canonicalSha256(b));
    expect(canonicalSha256(a)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps array order (it is meaningful)', () => {
    expect(canonicalSha256([1, 2])).not.toBe(canonicalSha256([2, 1]));
  });
});
