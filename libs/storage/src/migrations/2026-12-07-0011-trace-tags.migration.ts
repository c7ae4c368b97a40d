import { sql, type Kysely } from 'kysely';

// FROZEN on 2026-12-07: this file must never change once released, and must import nothing from the app
// (only kysely). Fix mistakes with a new migration.

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations see the schema of their own time. */
type Db = Kysely<any>;

/**
 * Request tags (`X-NavPlane-Tags`, docs/traces.md "Tags"): `traces.tags`, the trace's tags as a JSON array (null when it
 * has none), so every trace read shows them without a join; and `trace_tags`, one row per (trace, tag), so usage by tag
 * is one indexed group-by on both dialects: the org's traces in the range through traces_org_started_idx, each joined
 * to its tags through this table's primary key (docs/storage.md, "Tags"). A tag row belongs to its trace: deleting the
 * trace (retention) deletes its tags (ON DELETE CASCADE; SQLite runs with foreign_keys=ON).
 */
export async function up(db: Db, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const pg = dialect === 'postgres';
  await db.schema
    .alterTable('traces')
    .addColumn('tags', pg ? 'jsonb' : 'text', (column) => (pg ? column : column.check(sql`tags is null or json_valid(tags)`)))
    .execute();
  await db.schema
    .createTable('trace_tags')
    .addColumn('trace_id', 'text', (c) => c.notNull().references('traces.id').onDelete('cascade'))
    .addColumn('tag', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('trace_tags_pk', ['trace_id', 'tag'])
    .execute();
}
