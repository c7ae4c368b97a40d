import { sql, type Kysely } from 'kysely';

// FROZEN on 2026-11-23: this file must never change once released, and must import nothing from the app
// (only kysely). Fix mistakes with a new migration.

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations see the schema of their own time. */
type Db = Kysely<any>;

/**
 * Indexes for the request listing's filters, lineage, usage and retention, and the `trace_forks` table
 * (replay/fork).
 * Index choices and their query plans: docs/storage.md.
 */
export async function up(db: Db): Promise<void> {
  // The same DDL on both dialects, so the dialect argument is not needed.
  const ts = 'text'; // ISO-8601 UTC, as everywhere

  // Listing filtered by model or key, newest first with the (started_at, id) cursor: the equality column
  // after org_id keeps the index order equal to the listing order (no sort, no scan of other models/keys).
  await db.schema
    .createIndex('traces_org_model_started_idx')
    .on('traces')
    .columns(['org_id', 'model', 'started_at desc', 'id desc'])
    .execute();
  await db.schema
    .createIndex('traces_org_key_started_idx')
    .on('traces')
    .columns(['org_id', 'key_id', 'started_at desc', 'id desc'])
    .execute();
  // Superseded by traces_org_key_started_idx (same key lookups, plus the org and the id tie-break): one
  // index fewer to maintain on every insert.
  await db.schema.dropIndex('traces_key_started_idx').execute();
  // Failed requests are rare, so "show me the errors" would otherwise walk most of the org's index. Partial:
  // only failed rows are in it. Queries spell the predicate as the literal `status >= 400` so SQLite matches it.
  await db.schema
    .createIndex('traces_org_failed_idx')
    .on('traces')
    .columns(['org_id', 'started_at desc', 'id desc'])
    .where(sql.ref('status'), '>=', sql.lit(400))
    .execute();
  // Lineage: the initial single-column partial indexes made the tenant-scoped chain query (`run_id = ? and
  // org_id = ? order by started_at, id`) fetch and sort, and SQLite's planner (no statistics) preferred walking
  // the whole org by time. Leading with the lineage id keeps lookups without an org (the CLI) indexed too;
  // org_id, started_at, id after it give tenancy and chain order from the index alone. Still partial: most
  // traces carry no lineage.
  for (const [column, name] of [
    ['trace_group', 'traces_group_org_idx'],
    ['thread_id', 'traces_thread_org_idx'],
    ['run_id', 'traces_run_org_idx'],
  ] as const) {
    await db.schema.dropIndex(`traces_${column}_idx`).execute();
    await db.schema
      .createIndex(name)
      .on('traces')
      .columns([column, 'org_id', 'started_at', 'id'])
      .where(sql.ref(column), 'is not', null)
      .execute();
  }
  // Children of a set of traces (partial lineage: who continues this trace without a run header).
  await db.schema.dropIndex('traces_parent_trace_id_idx').execute();
  await db.schema
    .createIndex('traces_parent_org_idx')
    .on('traces')
    .columns(['parent_trace_id', 'org_id'])
    .where(sql.ref('parent_trace_id'), 'is not', null)
    .execute();

  // Retention deletes the oldest traces of every org in small batches: a global time index lets each batch
  // find its rows without scanning.
  await db.schema.createIndex('traces_started_idx').on('traces').columns(['started_at', 'id']).execute();

  // A fork: a new run that continues from a stored checkpoint. Trace rows are never touched; replay of the
  // new run reads the checkpoint's chain through this row. No FK (like traces: history outlives config).
  await db.schema
    .createTable('trace_forks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('source_trace_id', 'text', (c) => c.notNull())
    .addColumn('new_run_id', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addUniqueConstraint('trace_forks_new_run_id_uq', ['new_run_id'])
    .execute();
  await db.schema.createIndex('trace_forks_org_source_idx').on('trace_forks').columns(['org_id', 'source_trace_id']).execute();
  await db.schema.createIndex('trace_forks_created_idx').on('trace_forks').column('created_at').execute();
}
