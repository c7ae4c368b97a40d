import { randomBase62, type RandomSource } from './base62';
import { CHECKSUM_LENGTH, checksumOf } from './checksum';

/** What every platform-admin token starts with. */
export const ADMIN_TOKEN_PREFIX = 'npa_';

/** Length of an admin token's secret (32 base62 characters ≈ 190 bits). */
export const ADMIN_TOKEN_SECRET_LENGTH = 32;

// The id is the token's row id (`adm_` + 26 Crockford base32 characters, from newId('adminToken')).
const TOKEN_PATTERN = new RegExp(
  `^${ADMIN_TOKEN_PREFIX}(adm_[0-9a-hjkmnp-tv-z]{26})_[0-9A-Za-z]{${ADMIN_TOKEN_SECRET_LENGTH + CHECKSUM_LENGTH}}$`,
);

/** Total length of an admin token: `npa_` + 30 (id) + `_` + 32 + 6 = 73 characters. */
export const ADMIN_TOKEN_LENGTH = ADMIN_TOKEN_PREFIX.length + 30 + 1 + ADMIN_TOKEN_SECRET_LENGTH + CHECKSUM_LENGTH;

/** A well-formed admin token: the row id to look up and the whole text (the secret). */
export interface ParsedAdminToken {
  /** The admin token's id (`adm_…`), safe to log. */
  readonly id: string;
  /** The full token as presented (secret: never log or store it). */
  readonly token: string;
}

/** An admin token `npa_<id>_<secret><checksum>` for the row `id` (secret from crypto.randomBytes, CRC32 checksum). */
export function generateAdminToken(id: string, random?: RandomSource): string {
  const body = `${ADMIN_TOKEN_PREFIX}${id}_${randomBase62(ADMIN_TOKEN_SECRET_LENGTH, random)}`;
  return body + checksumOf(body);
}

/** Parses presented text as an admin token; undefined when it is not one (shape or checksum). Pure, no lookup. */
export function parseAdminToken(text: unknown): ParsedAdminToken | undefined {
  if (typeof text !== 'string' || text.length !== ADMIN_TOKEN_LENGTH) return undefined;
  const match = TOKEN_PATTERN.exec(text);
  const id = match?.[1];
  if (id === undefined) return undefined;
  const bodyLength = ADMIN_TOKEN_LENGTH - CHECKSUM_LENGTH;
  if (checksumOf(text.slice(0, bodyLength)) !== text.slice(bodyLength)) return undefined;
  return { id, token: text };
}

/** What listings show of an admin token: `npa_<id>…`. */
export function adminTokenDisplayPrefix(id: string): string {
  return `${ADMIN_TOKEN_PREFIX}${id}…`;
}
