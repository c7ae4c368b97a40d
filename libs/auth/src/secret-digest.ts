import { createHash, timingSafeEqual } from 'node:crypto';

/** The SHA-256 digest of `text` (UTF-8). */
export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Compares two digests in constant time (false when their lengths differ, which reveals nothing secret). */
export function digestsEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
