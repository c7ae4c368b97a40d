import { sql, type Kysely } from 'kysely';

// FROZEN on 2026-12-07: this file must never change once released, and must import nothing from the app
// (only kysely). Fix mistakes with a new migration.

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations see the schema of their own time. */
type Db = Kysely<any>;

/**
 * `gateway_keys.models`: a key's model allowlist (docs/security-keys.md, "Model allowlists"), a JSON array of model
 * names, or null for a key that may request any model (every key issued before this migration). jsonb on Postgres;
 * text checked with `json_valid` on SQLite, like the other JSON columns.
 */
export async function up(db: Db, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const pg = dialect === 'postgres';
  await db.schema
    .alterTable('gateway_keys')
    .addColumn('models', pg ? 'jsonb' : 'text', (column) => (pg ? column : column.check(sql`models is null or json_valid(models)`)))
    .execute();
}
