import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';

/** AES-256 key length in bytes (DEKs and KEKs). */
export const KEY_BYTES = 32;
/** GCM nonce length in bytes: 96 bits, the size GCM is specified for (random per encryption). */
export const IV_BYTES = 12;
/** GCM tag length in bytes: always the full 128 bits. */
export const TAG_BYTES = 16;

/** One AES-256-GCM encryption: ciphertext, its random IV and its authentication tag. */
export interface GcmBox {
  ciphertext: Buffer;
  iv: Buffer;
  authTag: Buffer;
}

/** Encrypts `plaintext` under `key` with a fresh random IV, authenticating `aad` too. */
export function gcmEncrypt(key: KeyObject | Buffer, plaintext: Buffer, aad: Buffer): GcmBox {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, {
    authTagLength: TAG_BYTES,
  });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { ciphertext, iv, authTag: cipher.getAuthTag() };
}

/**
 * Decrypts and verifies `box` under `key` and `aad`; undefined when anything does not match (wrong key, wrong
 * AAD, any flipped bit, a short IV or tag). Never throws: which check failed is deliberately not told.
 */
export function gcmDecrypt(key: KeyObject | Buffer, box: GcmBox, aad: Buffer): Buffer | undefined {
  // Node would accept a truncated tag unless told its length; an exact-length check closes that door twice.
  if (box.iv.length !== IV_BYTES || box.authTag.length !== TAG_BYTES) return undefined;
  let partial: Buffer | undefined;
  try {
    const decipher = createDecipheriv(ALGORITHM, key, box.iv, {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(aad);
    decipher.setAuthTag(box.authTag);
    partial = decipher.update(box.ciphertext);
    const plaintext = Buffer.concat([partial, decipher.final()]);
    partial.fill(0);
    return plaintext;
  } catch {
    // Unauthenticated output must not linger in memory.
    partial?.fill(0);
    return undefined;
  }
}
