import { randomBytes } from 'node:crypto';
import { err, ok, type Result } from '@navplane/core';
import type { DekWrapping } from '@navplane/storage';
import { unwrapDek, wrapDek, type Keyring, type UnwrapFailure } from '../keyring/keyring';
import { dekAad, isValidContext, secretAad, type SecretContext } from './aad';
import { gcmDecrypt, gcmEncrypt, KEY_BYTES, type GcmBox } from './aes-gcm';

/** A DEK wrapping plus the version of the master key that made it. */
export interface VersionedDekWrapping extends DekWrapping {
  kekVersion: number;
}

/** An envelope-encrypted secret as stored: every binary field base64 text. */
export interface SealedSecret extends VersionedDekWrapping {
  ciphertext: string;
  iv: string;
  authTag: string;
}

/** Why a sealed secret could not be opened (never more precise than this, and never with key material). */
export type OpenFailure = UnwrapFailure | 'malformed';

/** Strict base64: undefined unless `text` is canonical base64 (a lenient decoder would ignore stray characters). */
function fromBase64(text: string): Buffer | undefined {
  if (typeof text !== 'string') return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

function decodeBox(ciphertext: string, iv: string, authTag: string): GcmBox | undefined {
  const box = {
    ciphertext: fromBase64(ciphertext),
    iv: fromBase64(iv),
    authTag: fromBase64(authTag),
  };
  return box.ciphertext && box.iv && box.authTag ? (box as GcmBox) : undefined;
}

function encodeWrapping(kekVersion: number, box: GcmBox): VersionedDekWrapping {
  return {
    wrappedDek: box.ciphertext.toString('base64'),
    dekIv: box.iv.toString('base64'),
    dekAuthTag: box.authTag.toString('base64'),
    kekVersion,
  };
}

function openDek(keyring: Keyring, context: SecretContext, wrapping: VersionedDekWrapping): Result<Buffer, OpenFailure> {
  if (!isValidContext(context) || !Number.isSafeInteger(wrapping.kekVersion)) return err('malformed');
  const box = decodeBox(wrapping.wrappedDek, wrapping.dekIv, wrapping.dekAuthTag);
  if (box === undefined) return err('malformed');
  const dek = unwrapDek(keyring, box, wrapping.kekVersion, dekAad(context, wrapping.kekVersion));
  if (dek.ok && dek.value.length !== KEY_BYTES) {
    dek.value.fill(0);
    return err('malformed');
  }
  return dek;
}

/**
 * Seals `plaintext` for `context`: a fresh random 32-byte DEK and 12-byte IV encrypt it (AES-256-GCM, AAD =
 * secretAad), and the current master key wraps the DEK (AES-256-GCM, own IV, AAD = dekAad with its version).
 */
export function sealSecret(keyring: Keyring, context: SecretContext, plaintext: string): SealedSecret {
  const dek = randomBytes(KEY_BYTES);
  const data = Buffer.from(plaintext, 'utf8');
  try {
    const secret = gcmEncrypt(dek, data, secretAad(context));
    const wrapped = wrapDek(keyring, dek, (kekVersion) => dekAad(context, kekVersion));
    return {
      ciphertext: secret.ciphertext.toString('base64'),
      iv: secret.iv.toString('base64'),
      authTag: secret.authTag.toString('base64'),
      ...encodeWrapping(wrapped.kekVersion, wrapped.box),
    };
  } finally {
    dek.fill(0);
    data.fill(0);
  }
}

/** Opens a sealed secret for `context`; any mismatch (key, version, AAD, a flipped bit) is an expected failure. */
export function openSecret(keyring: Keyring, context: SecretContext, sealed: SealedSecret): Result<string, OpenFailure> {
  const dek = openDek(keyring, context, sealed);
  if (!dek.ok) return dek;
  try {
    const box = decodeBox(sealed.ciphertext, sealed.iv, sealed.authTag);
    if (box === undefined) return err('malformed');
    const data = gcmDecrypt(dek.value, box, secretAad(context));
    if (data === undefined) return err('integrity_check_failed');
    const plaintext = data.toString('utf8');
    data.fill(0);
    return ok(plaintext);
  } finally {
    dek.value.fill(0);
  }
}

/**
 * Re-wraps a secret's DEK with the keyring's current master key: unwraps with the KEK of `wrapping.kekVersion`,
 * wraps again with a new IV. The secret's ciphertext, IV and tag are untouched (and not needed).
 */
export function rewrapDek(
  keyring: Keyring,
  context: SecretContext,
  wrapping: VersionedDekWrapping,
): Result<VersionedDekWrapping, OpenFailure> {
  const dek = openDek(keyring, context, wrapping);
  if (!dek.ok) return dek;
  try {
    const wrapped = wrapDek(keyring, dek.value, (kekVersion) => dekAad(context, kekVersion));
    return ok(encodeWrapping(wrapped.kekVersion, wrapped.box));
  } finally {
    dek.value.fill(0);
  }
}
