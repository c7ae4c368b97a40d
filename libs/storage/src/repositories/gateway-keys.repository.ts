import type { Kysely, Selectable } from 'kysely';
import type { JsonValue } from '../schema/json';
import type { DialectCapabilities } from '../database/dialect-capabilities';
import type { DB, GatewayKeysTable } from '../schema/schema';

/** A stored NavPlane key, including its secret's hash (for verification only; never show it). */
export interface GatewayKey {
  id: string;
  orgId: string;
  workspaceId: string | null;
  name: string;
  /** The public part of the key, used to look it up. */
  publicId: string;
  /** Hash of the secret part; the key itself is never stored. */
  secretHash: string;
  /** What the key starts with, for people to recognise it (e.g. `np_a1b2…`). */
  displayPrefix: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  /** The key this one replaced by rotation. */
  rotatedFromId: string | null;
  /** Set on a rotated-away key: it keeps working until then. */
  graceEndsAt: string | null;
  /** The model names the key may request (docs/security-keys.md, "Model allowlists"); null = any model. */
  models: string[] | null;
}

/** A key as listings show it: no hash, no public id. */
export type GatewayKeySummary = Omit<GatewayKey, 'secretHash' | 'publicId'>;

/** What issuing a key stores (optional fields default to null). */
export interface NewGatewayKey {
  id: string;
  orgId: string;
  workspaceId?: string | null;
  name: string;
  publicId: string;
  secretHash: string;
  displayPrefix: string;
  scopes: string[];
  createdAt: string;
  expiresAt?: string | null;
  rotatedFromId?: string | null;
  /** The model allowlist, already validated (default null: any model). */
  models?: readonly string[] | null;
}

/** NavPlane keys (stored only as hashes). */
export interface GatewayKeysRepository {
  /** Stores a new key and returns its summary. */
  insert(key: NewGatewayKey): Promise<GatewayKeySummary>;
  /** The key with this public id (hash included, for verification), or undefined. */
  findByPublicId(publicId: string): Promise<GatewayKey | undefined>;
  /** The key with this id (hash included), or undefined. */
  findById(id: string): Promise<GatewayKey | undefined>;
  /** The org's keys, revoked ones included, oldest first; never the hash. */
  listByOrg(orgId: string): Promise<GatewayKeySummary[]>;
  /** Revokes the org's key; true when it was active and is now revoked. */
  revoke(orgId: string, id: string, at: string): Promise<boolean>;
  /** Marks a rotated-away key: it keeps working until `graceEndsAt`; true when the key exists and is not revoked. */
  markRotated(oldId: string, graceEndsAt: string): Promise<boolean>;
  /** Records a use at `at` (never moves last_used_at backwards). */
  touchLastUsed(id: string, at: string): Promise<void>;
}

/** The gateway-keys repository over `db` (a Kysely instance or transaction). */
export function createGatewayKeysRepository(db: Kysely<DB>, capabilities: DialectCapabilities): GatewayKeysRepository {
  const toKey = (row: Selectable<GatewayKeysTable>): GatewayKey => ({
    id: row.id,
    orgId: row.org_id,
    workspaceId: row.workspace_id,
    name: row.name,
    publicId: row.public_id,
    secretHash: row.secret_hash,
    displayPrefix: row.display_prefix,
    scopes: capabilities.json.decode<string[]>(row.scopes),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
    rotatedFromId: row.rotated_from_id,
    graceEndsAt: row.grace_ends_at,
    models: decodeModels(row.models),
  });
  // A stored allowlist that is not a list of strings (hand-edited) allows nothing rather than everything.
  const decodeModels = (value: unknown): string[] | null => {
    if (value === null || value === undefined) return null;
    const decoded = capabilities.json.decode<JsonValue>(value);
    if (decoded === null) return null;
    return Array.isArray(decoded) ? decoded.filter((model): model is string => typeof model === 'string') : [];
  };
  const toSummary = ({ secretHash: _hash, publicId: _publicId, ...summary }: GatewayKey): GatewayKeySummary => summary;

  async function findBy(column: 'id' | 'public_id', value: string): Promise<GatewayKey | undefined> {
    const row = await db.selectFrom('gateway_keys').selectAll().where(column, '=', value).executeTakeFirst();
    return row && toKey(row);
  }

  return {
    async insert(key) {
      const row = {
        id: key.id,
        org_id: key.orgId,
        workspace_id: key.workspaceId ?? null,
        name: key.name,
        public_id: key.publicId,
        secret_hash: key.secretHash,
        display_prefix: key.displayPrefix,
        scopes: capabilities.json.encode(key.scopes),
        created_at: key.createdAt,
        expires_at: key.expiresAt ?? null,
        revoked_at: null,
        last_used_at: null,
        rotated_from_id: key.rotatedFromId ?? null,
        grace_ends_at: null,
        models: key.models == null ? null : capabilities.json.encode([...key.models]),
      };
      await db.insertInto('gateway_keys').values(row).execute();
      return {
        id: row.id,
        orgId: row.org_id,
        workspaceId: row.workspace_id,
        name: row.name,
        displayPrefix: row.display_prefix,
        scopes: [...key.scopes],
        createdAt: row.created_at,
        expiresAt: row.expires_at,
        revokedAt: null,
        lastUsedAt: null,
        rotatedFromId: row.rotated_from_id,
        graceEndsAt: null,
        models: key.models == null ? null : [...key.models],
      };
    },
    findByPublicId: (publicId) => findBy('public_id', publicId),
    findById: (id) => findBy('id', id),
    async listByOrg(orgId) {
      const rows = await db
        .selectFrom('gateway_keys')
        .selectAll()
        .where('org_id', '=', orgId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map((row) => toSummary(toKey(row)));
    },
    async revoke(orgId, id, at) {
      const result = await db
        .updateTable('gateway_keys')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('org_id', '=', orgId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async markRotated(oldId, graceEndsAt) {
      const result = await db
        .updateTable('gateway_keys')
        .set({ grace_ends_at: graceEndsAt })
        .where('id', '=', oldId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async touchLastUsed(id, at) {
      await db
        .updateTable('gateway_keys')
        .set({ last_used_at: at })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at)]))
        .execute();
    },
  };
}
