import { randomBytes } from 'node:crypto';

/** The 62 characters NavPlane secrets are written in: digits, then upper, then lower case (URL- and shell-safe). */
export const BASE62_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Bits of randomness one uniformly chosen base62 character carries (log2 62 ≈ 5.954). */
export const BITS_PER_BASE62_CHAR = Math.log2(62);

/** Where random bytes come from (injectable so tests can prove the rejection sampling). */
export type RandomSource = (size: number) => Buffer;

// 248 = 4 × 62: a byte below it maps to `byte % 62` with every character exactly 4 ways; bytes ≥ 248
// are dropped, because keeping them would make the first 8 characters likelier (modulo bias).
const UNBIASED_LIMIT = 248;

/** `length` uniformly random base62 characters (rejection sampling, no modulo bias; default source crypto.randomBytes). */
export function randomBase62(length: number, random: RandomSource = randomBytes): string {
  let out = '';
  while (out.length < length) {
    // ~3 % of bytes are dropped; ask for a little more than needed so one round almost always suffices.
    const bytes = random(Math.ceil((length - out.length) * 1.1) + 4);
    for (const byte of bytes) {
      if (byte >= UNBIASED_LIMIT) continue;
      out += BASE62_ALPHABET[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

/** `value` (a non-negative integer below 62^width) as exactly `width` base62 characters, most significant first. */
export function encodeBase62Fixed(value: number, width: number): string {
  let rest = value;
  let out = '';
  for (let i = 0; i < width; i += 1) {
    out = BASE62_ALPHABET[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out;
}
