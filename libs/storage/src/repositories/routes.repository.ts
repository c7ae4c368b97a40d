import type { Kysely, Selectable } from 'kysely';
import type { DialectCapabilities } from '../database/dialect-capabilities';
import type { JsonObject } from '../schema/json';
import type { DB, RoutesTable } from '../schema/schema';

/** An org's stored routing table: the whole document as validated when it was put (`@navplane/routing` owns its shape). */
export interface StoredRoutes {
  orgId: string;
  document: JsonObject;
  updatedAt: string;
}

/** Every org's routing table, one document per org, replaced whole. */
export interface RoutesRepository {
  /** The org's document, or undefined when it never had one. */
  findByOrg(orgId: string): Promise<StoredRoutes | undefined>;
  /** Every org's document, ordered by org (gateways load them all at start). */
  listAll(): Promise<StoredRoutes[]>;
  /** Stores `document` as the org's table, replacing any earlier one, with updatedAt `at`; returns what is stored. */
  put(orgId: string, document: JsonObject, at: string): Promise<StoredRoutes>;
}

/** The routes repository over `db` (a Kysely instance or transaction). */
export function createRoutesRepository(db: Kysely<DB>, capabilities: DialectCapabilities): RoutesRepository {
  const toStored = (row: Selectable<RoutesTable>): StoredRoutes => ({
    orgId: row.org_id,
    document: capabilities.json.decode<JsonObject>(row.document),
    updatedAt: row.updated_at,
  });

  return {
    async findByOrg(orgId) {
      const row = await db.selectFrom('routes').selectAll().where('org_id', '=', orgId).executeTakeFirst();
      return row === undefined ? undefined : toStored(row);
    },
    async listAll() {
      const rows = await db.selectFrom('routes').selectAll().orderBy('org_id').execute();
      return rows.map(toStored);
    },
    async put(orgId, document, at) {
      const encoded = capabilities.json.encode(document);
      const row = await db
        .insertInto('routes')
        .values({ org_id: orgId, document: encoded, updated_at: at })
        .onConflict((conflict) => conflict.column('org_id').doUpdateSet({ document: encoded, updated_at: at }))
        .returningAll()
        .executeTakeFirstOrThrow();
      return toStored(row);
    },
  };
}
