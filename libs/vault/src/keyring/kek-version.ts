import { createHmac, type KeyObject } from 'node:crypto';

/** The HMAC message a master key's version id is derived from. */
const KEK_ID_LABEL = 'navplane-kek-id';

/**
 * The version id of a master key (KEK): the first 4 bytes of HMAC-SHA256(key, 'navplane-kek-id') as a positive
 * 31-bit integer (0 maps to 1). Deterministic, so every process configured with the same key agrees on its
 * version without coordination; one-way, so the id reveals nothing usable about the key.
 */
export function deriveKekVersion(key: Buffer | KeyObject): number {
  const digest = createHmac('sha256', key).update(KEK_ID_LABEL).digest();
  return digest.readUInt32BE(0) & 0x7fffffff || 1;
}
