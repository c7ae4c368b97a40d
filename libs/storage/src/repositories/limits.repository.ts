import type { Kysely, Selectable } from 'kysely';
import type { DialectCapabilities } from '../database/dialect-capabilities';
import type { JsonObject } from '../schema/json';
import type { DB, LimitsTable } from '../schema/schema';

/** An org's stored limits document: the whole document as validated when it was put (`@navplane/limits` owns its shape). */
export interface StoredLimits {
  orgId: string;
  document: JsonObject;
  updatedAt: string;
}

/** Every org's limits document, one document per org, replaced whole. */
export interface LimitsRepository {
  /** The org's document, or undefined when it never had one. */
  findByOrg(orgId: string): Promise<StoredLimits | undefined>;
  /** Every org's document, ordered by org (gateways load them all at start). */
  listAll(): Promise<StoredLimits[]>;
  /** Stores `document` as the org's table, replacing any earlier one, with updatedAt `at`; returns what is stored. */
  put(orgId: string, document: JsonObject, at: string): Promise<StoredLimits>;
}

/** The limits repository over `db` (a Kysely instance or transaction). */
export function createLimitsRepository(db: Kysely<DB>, capabilities: DialectCapabilities): LimitsRepository {
  const toStored = (row: Selectable<LimitsTable>): StoredLimits => ({
    orgId: row.org_id,
    document: capabilities.json.decode<JsonObject>(row.document),
    updatedAt: row.updated_at,
  });

  return {
    async findByOrg(orgId) {
      const row = await db.selectFrom('limits').selectAll().where('org_id', '=', orgId).executeTakeFirst();
      return row === undefined ? undefined : toStored(row);
    },
    async listAll() {
      const rows = await db.selectFrom('limits').selectAll().orderBy('org_id').execute();
      return rows.map(toStored);
    },
    async put(orgId, document, at) {
      const encoded = capabilities.json.encode(document);
      const row = await db
        .insertInto('limits')
        .values({ org_id: orgId, document: encoded, updated_at: at })
        .onConflict((conflict) => conflict.column('org_id').doUpdateSet({ document: encoded, updated_at: at }))
        .returningAll()
        .executeTakeFirstOrThrow();
      return toStored(row);
    },
  };
}
