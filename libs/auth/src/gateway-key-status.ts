import type { GatewayKeySummary } from '@navplane/storage';

/** Where a key is in its life: `rotating` = replaced by rotation, still valid until its grace ends. */
export type GatewayKeyStatus = 'active' | 'rotating' | 'expired' | 'revoked';

/**
 * A key's status at `nowMs`, for listings: revoked, else expired (past `expiresAt`, or past the grace end of a
 * rotated-away key), else rotating (in grace), else active. The verifier applies the same rules.
 */
export function gatewayKeyStatus(key: Pick<GatewayKeySummary, 'revokedAt' | 'expiresAt' | 'graceEndsAt'>, nowMs: number): GatewayKeyStatus {
  if (key.revokedAt !== null) return 'revoked';
  if (key.expiresAt !== null && nowMs >= Date.parse(key.expiresAt)) return 'expired';
  if (key.graceEndsAt !== null) return nowMs >= Date.parse(key.graceEndsAt) ? 'expired' : 'rotating';
  return 'active';
}
