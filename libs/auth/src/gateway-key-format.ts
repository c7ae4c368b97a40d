import { BITS_PER_BASE62_CHAR, randomBase62, type RandomSource } from './base62';
import { CHECKSUM_LENGTH, checksumOf } from './checksum';
import { digestsEqual, sha256 } from './secret-digest';

/** What every NavPlane key starts with (secret scanners and the redaction detectors look for it). */
export const GATEWAY_KEY_PREFIX = 'np_';

/** Length of a key's public id (base62, ~71 bits: unique across all keys without coordination). */
export const PUBLIC_ID_LENGTH = 12;

/** Length of a key's secret (32 base62 characters ≈ 190 bits of randomness). */
export const SECRET_LENGTH = 32;

/** Bits of randomness in a key's secret (the public id's bits are not counted: it is shown in listings). */
export const GATEWAY_KEY_SECRET_BITS = SECRET_LENGTH * BITS_PER_BASE62_CHAR;

/** Total length of a NavPlane key: `np_` + 12 + `_` + 32 + 6 = 54 characters. */
export const GATEWAY_KEY_LENGTH = GATEWAY_KEY_PREFIX.length + PUBLIC_ID_LENGTH + 1 + SECRET_LENGTH + CHECKSUM_LENGTH;

/** Scheme tag of stored key hashes, so a future scheme can be told apart from this one. */
export const GATEWAY_KEY_HASH_SCHEME = 'sha256:';

const KEY_PATTERN = new RegExp(`^${GATEWAY_KEY_PREFIX}([0-9A-Za-z]{${PUBLIC_ID_LENGTH}})_[0-9A-Za-z]{${SECRET_LENGTH + CHECKSUM_LENGTH}}$`);

/** A well-formed NavPlane key, split into the part used for lookup and the whole text (which is the secret). */
export interface ParsedGatewayKey {
  /** The public id: the lookup handle, safe to log. */
  readonly publicId: string;
  /** The full key text as presented (secret: never log or store it). */
  readonly key: string;
}

/** A freshly generated key: the text (shown once) and what is stored instead of it. */
export interface GeneratedGatewayKey {
  /** `np_<publicId>_<secret><checksum>`: give it to the user once, never store or log it. */
  readonly key: string;
  readonly publicId: string;
  /** `sha256:<hex>` of the full key: the only form the key is stored in. */
  readonly secretHash: string;
  /** `np_<publicId>…`: lets people recognise a key in listings. */
  readonly displayPrefix: string;
}

/**
 * Generates a key `np_<publicId>_<secret><checksum>`: a 12-character base62 public id, a 32-character base62
 * secret (≈ 190 random bits from crypto.randomBytes, no modulo bias) and a 6-character CRC32 checksum over
 * everything before it.
 */
export function generateGatewayKey(random?: RandomSource): GeneratedGatewayKey {
  const publicId = randomBase62(PUBLIC_ID_LENGTH, random);
  const body = `${GATEWAY_KEY_PREFIX}${publicId}_${randomBase62(SECRET_LENGTH, random)}`;
  const key = body + checksumOf(body);
  return { key, publicId, secretHash: hashGatewayKey(key), displayPrefix: gatewayKeyDisplayPrefix(publicId) };
}

/**
 * Parses presented text as a NavPlane key; undefined when it is not one (wrong prefix, length or characters,
 * or a checksum mismatch: a typo). Pure and cheap: callers refuse such text before any database lookup.
 */
export function parseGatewayKey(text: unknown): ParsedGatewayKey | undefined {
  if (typeof text !== 'string' || text.length !== GATEWAY_KEY_LENGTH) return undefined;
  const match = KEY_PATTERN.exec(text);
  const publicId = match?.[1];
  if (publicId === undefined) return undefined;
  const bodyLength = GATEWAY_KEY_LENGTH - CHECKSUM_LENGTH;
  if (checksumOf(text.slice(0, bodyLength)) !== text.slice(bodyLength)) return undefined;
  return { publicId, key: text };
}

/**
 * The stored form of a key: `sha256:` + hex SHA-256 of the full key text. A fast hash suffices because the
 * key carries ≈ 190 random bits: no guess list exists to run a slow hash against (see docs/security-keys.md).
 */
export function hashGatewayKey(key: string): string {
  return GATEWAY_KEY_HASH_SCHEME + sha256(key).toString('hex');
}

/** The raw digest inside a stored `sha256:<hex>` hash, or undefined when the stored text is not one. */
export function decodeGatewayKeyHash(stored: string): Buffer | undefined {
  if (!stored.startsWith(GATEWAY_KEY_HASH_SCHEME)) return undefined;
  const hex = stored.slice(GATEWAY_KEY_HASH_SCHEME.length);
  return /^[0-9a-f]{64}$/.test(hex) ? Buffer.from(hex, 'hex') : undefined;
}

/** True when `key` hashes to the stored `sha256:<hex>` hash (constant-time comparison of the digests). */
export function gatewayKeyMatchesHash(key: string, stored: string): boolean {
  const expected = decodeGatewayKeyHash(stored);
  return expected !== undefined && digestsEqual(sha256(key), expected);
}

/** What listings show of a key: `np_<publicId>…`. */
export function gatewayKeyDisplayPrefix(publicId: string): string {
  return `${GATEWAY_KEY_PREFIX}${publicId}…`;
}
