import { BASE62_ALPHABET, encodeBase62Fixed, randomBase62 } from './base62';

describe('randomBase62', () => {
  it('drops bytes of 248 and above instead of folding them onto the first characters (no modulo bias)', () => {
    const bytes = Buffer.from([248, 255, 0, 61, 62, 247, 250, 123]);
    const source = (size: number) => bytes.subarray(0, size);
    // 0 → '0', 61 → 'z', 62 → '0', 247 → 247 % 62 = 61 → 'z', 123 → 61 → 'z'; 248, 255 and 250 are skipped.
    expect(randomBase62(5, source)).toBe('0z0zz');
  });

  it('maps the 248 accepted byte values onto each character exactly four times', () => {
    const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    let served = false;
    const source = () => {
      if (served) throw new Error('asked for more bytes than the 248 usable ones');
      served = true;
      return everyByte;
    };
    const out = randomBase62(248, source);
    const counts = new Map<string, number>();
    for (const char of out) counts.set(char, (counts.get(char) ?? 0) + 1);
    expect(counts.size).toBe(62);
    expect([...counts.values()].every((count) => count === 4)).toBe(true);
  });

  it('keeps asking for bytes until it has enough', () => {
    const calls: number[] = [];
    const source = (size: number) => {
      calls.push(size);
      return Buffer.alloc(size, calls.length < 3 ? 255 : 7); // two rounds of unusable bytes
    };
    expect(randomBase62(10, source)).toBe('7777777777');
    expect(calls).toHaveLength(3);
  });

  it('draws every character about equally often from crypto.randomBytes', () => {
    const out = randomBase62(62 * 1000);
    const counts = new Map<string, number>();
    for (const char of out) counts.set(char, (counts.get(char) ?? 0) + 1);
    expect([...counts.keys()].sort().join('')).toBe([...BASE62_ALPHABET].sort().join(''));
    // Expected 1000 each, standard deviation ≈ 31: ±200 is over 6 sigma (never flaky), while a mod-62 bias on
    // raw bytes would put the first eight characters near 1238.
    for (const count of counts.values()) expect(Math.abs(count - 1000)).toBeLessThan(200);
  });
});

describe('encodeBase62Fixed', () => {
  it('writes a number in exactly `width` characters, most significant first', () => {
    expect(encodeBase62Fixed(0, 6)).toBe('000000');
    expect(encodeBase62Fixed(61, 2)).toBe('0z');
    expect(encodeBase62Fixed(62, 2)).toBe('10');
    expect(encodeBase62Fixed(2 ** 32 - 1, 6)).toBe('4gfFC3');
  });
});
