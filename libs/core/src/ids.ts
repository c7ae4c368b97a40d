import { randomFillSync } from 'node:crypto';

/** The entity prefixes NavPlane ids carry, so an id says what it names (`org_…`, `trc_…`). */
export const ID_PREFIXES = {
  org: 'org',
  workspace: 'ws',
  gatewayKey: 'key',
  providerKey: 'pk',
  trace: 'trc',
  policy: 'pol',
  audit: 'aud',
  adminToken: 'adm',
  request: 'req',
} as const;

/** A known entity kind. */
export type IdKind = keyof typeof ID_PREFIXES;

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

function encodeTime(ms: number): string {
  let out = '';
  let rest = ms;
  for (let i = 0; i < 10; i += 1) {
    out = CROCKFORD[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

function encodeRandom(bytes: Buffer): string {
  // 80 random bits -> 16 Crockford base32 characters.
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += CROCKFORD[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

// Ids are minted per request on the gateway's hot path: draw their randomness from a pool filled
// 4 KiB at a time instead of one small crypto call per id.
const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let poolOffset = POOL_SIZE;

function randomSlice(size: number): Buffer {
  if (poolOffset + size > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const slice = pool.subarray(poolOffset, poolOffset + size);
  poolOffset += size;
  return slice;
}

/**
 * A new id `<prefix>_<ulid>`: 26 lowercase Crockford base32 characters, 48 bits of millisecond
 * time then 80 random bits, so ids sort by creation time in text order on every dialect.
 */
export function newId(kind: IdKind, nowMs: number = Date.now()): string {
  return `${ID_PREFIXES[kind]}_${encodeTime(nowMs)}${encodeRandom(randomSlice(10))}`;
}

const ID_PATTERN = /^([a-z]+)_([0-9a-hjkmnp-tv-z]{26})$/;

/** True when `value` is a well-formed id of the given kind. */
export function isId(kind: IdKind, value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = ID_PATTERN.exec(value);
  return match !== null && match[1] === ID_PREFIXES[kind];
}
