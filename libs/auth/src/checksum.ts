import { crc32 } from 'node:zlib';
import { encodeBase62Fixed } from './base62';

/** Length of the checksum that ends every NavPlane key and admin token. */
export const CHECKSUM_LENGTH = 6;

/**
 * The checksum of `body`: CRC32 as 6 base62 characters (62^6 > 2^32, so the encoding is lossless). CRC32
 * detects every error confined to 32 consecutive bits, so every single-character substitution and every
 * swap of two adjacent characters changes it: such typos are refused before any lookup. It is not a MAC:
 * anyone can compute it; the secret's entropy is what protects a key.
 */
export function checksumOf(body: string): string {
  return encodeBase62Fixed(crc32(body), CHECKSUM_LENGTH);
}
