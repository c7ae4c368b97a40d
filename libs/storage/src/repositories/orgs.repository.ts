import type { Kysely, Selectable } from 'kysely';
import type { DialectCapabilities } from '../database/dialect-capabilities';
import type { DB, OrgsTable } from '../schema/schema';

/** An org (tenant); `enabled` is its kill switch. */
export interface Org {
  id: string;
  name: string;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

/** What creating an org needs (`enabled` defaults to true; `updatedAt` starts as `createdAt`). */
export interface NewOrg {
  id: string;
  name: string;
  enabled?: boolean;
  createdAt: string;
}

/** An org's kill-switch state, for warming the gateway's cache. */
export interface OrgEnabledState {
  id: string;
  enabled: boolean;
}

/** Orgs and their kill switch. */
export interface OrgsRepository {
  /** Stores a new org and returns it. */
  create(org: NewOrg): Promise<Org>;
  /** The org, or undefined. */
  findById(id: string): Promise<Org | undefined>;
  /** Every org, oldest first. */
  list(): Promise<Org[]>;
  /** Flips the kill switch; returns the updated org, or undefined when there is no such org. */
  setEnabled(id: string, enabled: boolean, at: string): Promise<Org | undefined>;
  /** Every org's id and enabled flag (the gateway's kill-switch cache), ordered by id. */
  listEnabledStates(): Promise<OrgEnabledState[]>;
}

/** The orgs repository over `db` (a Kysely instance or transaction). */
export function createOrgsRepository(db: Kysely<DB>, capabilities: DialectCapabilities): OrgsRepository {
  const toOrg = (row: Selectable<OrgsTable>): Org => ({
    id: row.id,
    name: row.name,
    enabled: capabilities.boolean.decode(row.enabled),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });

  async function findById(id: string): Promise<Org | undefined> {
    const row = await db.selectFrom('orgs').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toOrg(row);
  }

  return {
    async create(org) {
      const row = {
        id: org.id,
        name: org.name,
        enabled: capabilities.boolean.encode(org.enabled ?? true),
        created_at: org.createdAt,
        updated_at: org.createdAt,
      };
      await db.insertInto('orgs').values(row).execute();
      return toOrg(row);
    },
    findById,
    async list() {
      const rows = await db.selectFrom('orgs').selectAll().orderBy('created_at').orderBy('id').execute();
      return rows.map(toOrg);
    },
    async setEnabled(id, enabled, at) {
      const result = await db
        .updateTable('orgs')
        .set({ enabled: capabilities.boolean.encode(enabled), updated_at: at })
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n ? findById(id) : undefined;
    },
    async listEnabledStates() {
      const rows = await db.selectFrom('orgs').select(['id', 'enabled']).orderBy('id').execute();
      return rows.map((row) => ({ id: row.id, enabled: capabilities.boolean.decode(row.enabled) }));
    },
  };
}
