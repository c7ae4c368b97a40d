import { sql, type Kysely } from 'kysely';

// FROZEN on 2026-12-07: this file must never change once released, and must import nothing from the app
// (only kysely). Fix mistakes with a new migration.

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations see the schema of their own time. */
type Db = Kysely<any>;

/**
 * Routed requests (docs/routing.md): `traces.route_name`, the name of the org's route that served the request (null
 * for a request sent to its provider as is), and `traces.attempts`, a JSON array of its upstream attempts (target,
 * key name, status or failure class, latency, backoff), null when not routed. jsonb on Postgres; text checked with
 * `json_valid` on SQLite, like the other JSON columns.
 */
export async function up(db: Db, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const pg = dialect === 'postgres';
  await db.schema.alterTable('traces').addColumn('route_name', 'text').execute();
  await db.schema
    .alterTable('traces')
    .addColumn('attempts', pg ? 'jsonb' : 'text', (column) => (pg ? column : column.check(sql`attempts is null or json_valid(attempts)`)))
    .execute();
}
