import { createHmac } from 'node:crypto';
import { PLACEHOLDER_LABELS, type DetectorId } from './detector-ids';

/** The shortest per-org salt accepted for placeholders, in bytes. */
export const MIN_SALT_BYTES = 16;

/** Throws a RangeError unless `salt` is at least MIN_SALT_BYTES long (a configuration bug, caught at start-up). */
export function assertSalt(salt: Uint8Array): void {
  if (!(salt instanceof Uint8Array) || salt.byteLength < MIN_SALT_BYTES) {
    throw new RangeError(`policy salt must be a Uint8Array of at least ${MIN_SALT_BYTES} bytes`);
  }
}

/** The 8-hex-char hash of a placeholder: first 8 hex of HMAC-SHA256(salt, detector + ':' + canonical value). */
export function placeholderHash(salt: Uint8Array, detector: DetectorId, canonicalValue: string): string {
  return createHmac('sha256', salt).update(`${detector}:${canonicalValue}`, 'utf8').digest('hex').slice(0, 8);
}

/** Formats a placeholder from its detector and hash: `[EMAIL:1a2b3c4d]`. */
export function formatPlaceholder(detector: DetectorId, hash: string): string {
  return `[${PLACEHOLDER_LABELS[detector]}:${hash}]`;
}

/**
 * `[EMAIL:1a2b3c4d]`. Labels: EMAIL, PHONE, SSN, CREDIT_CARD, SECRET. Hash = first 8 hex of
 * HMAC-SHA256(salt, detector + ':' + canonical value), where canonical = the normalised value (digits only
 * for phone/ssn/card, lower-cased email). Stable per org and value; the salt must be >= 16 bytes.
 */
export function placeholderFor(salt: Uint8Array, detector: DetectorId, canonicalValue: string): string {
  assertSalt(salt);
  return formatPlaceholder(detector, placeholderHash(salt, detector, canonicalValue));
}
