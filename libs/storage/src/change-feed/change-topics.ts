/**
 * The change-feed topics every process agrees on: the admin API (and CLI) publish after a mutation,
 * gateway caches subscribe and evict. Payloads carry ids only, never secrets.
 */
export const CHANGE_TOPICS = {
  /** An org was created, renamed or switched on/off. Payload: `{ orgId }`. */
  orgChanged: 'org.changed',
  /** A NavPlane key was issued, rotated, revoked or expired early. Payload: `{ orgId, keyId, publicId }`. */
  gatewayKeyChanged: 'gateway_key.changed',
  /**
   * A provider key was stored, replaced, deleted or re-wrapped. Payload: `{ orgId, provider, name }` for one named key;
   * `{ orgId, provider }` (no name) when every key of the provider changed (deleted all at once).
   */
  providerKeyChanged: 'provider_key.changed',
  /** An org's policies changed. Payload: `{ orgId }`. */
  policyChanged: 'policy.changed',
  /** An org's routing table was replaced. Payload: `{ orgId }`. */
  routesChanged: 'routes.changed',
  /** An org's limits document was replaced. Payload: `{ orgId }`. */
  limitsChanged: 'limits.changed',
  /** An admin token was created or revoked. Payload: `{ tokenId }`. */
  adminTokenChanged: 'admin_token.changed',
} as const;

/** One of the agreed change-feed topics. */
export type ChangeTopic = (typeof CHANGE_TOPICS)[keyof typeof CHANGE_TOPICS];

/** The org a change event names (`{ orgId }`), or undefined for a malformed payload (caches then reload everything). */
export function orgIdOf(payload: Readonly<Record<string, unknown>>): string | undefined {
  const orgId = payload['orgId'];
  return typeof orgId === 'string' ? orgId : undefined;
}
