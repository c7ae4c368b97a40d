import { sql, type Kysely } from 'kysely';

// FROZEN on 2026-12-07: this file must never change once released, and must import nothing from the app
// (only kysely). Fix mistakes with a new migration.

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations see the schema of their own time. */
type Db = Kysely<any>;

/**
 * `limits`: the org's limits (docs/limits.md: rate limits, budgets, spend alerts), one row per org holding the whole
 * validated document (the admin API and the CLI replace it whole). jsonb on Postgres; text checked with `json_valid` on SQLite, like the other
 * JSON columns. No row: the org has no limits.
 */
export async function up(db: Db, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const pg = dialect === 'postgres';
  await db.schema
    .createTable('limits')
    .addColumn('org_id', 'text', (column) => column.primaryKey().references('orgs.id'))
    .addColumn('document', pg ? 'jsonb' : 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .$call((table) => (pg ? table : table.addCheckConstraint('limits_document_is_json', sql`json_valid(document)`)))
    .execute();
}
