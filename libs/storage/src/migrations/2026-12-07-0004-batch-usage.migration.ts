import type { ColumnDefinitionBuilder, Kysely } from 'kysely';

// FROZEN on 2026-12-07: this file must never change once released, and must import nothing from the app
// (only kysely). Fix mistakes with a new migration.

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations see the schema of their own time. */
type Db = Kysely<any>;

/**
 * `batch_usage`: the usage of each Batch API result fetched through the gateway (docs/traces.md, "Batch usage"), one
 * row per (org, provider, batch or file id, custom_id): fetching the same results again adds nothing. Usage reads add
 * these rows to the traces' sums.
 */
export async function up(db: Db): Promise<void> {
  // The same DDL on both dialects, so the dialect argument is not needed.
  const notNull = (c: ColumnDefinitionBuilder) => c.notNull();
  await db.schema
    .createTable('batch_usage')
    .addColumn('org_id', 'text', notNull)
    .addColumn('provider', 'text', notNull)
    .addColumn('source_id', 'text', notNull)
    .addColumn('custom_id', 'text', notNull)
    .addColumn('trace_id', 'text', notNull)
    .addColumn('workspace_id', 'text')
    .addColumn('key_id', 'text')
    .addColumn('model', 'text')
    .addColumn('fetched_at', 'text', notNull)
    .addColumn('tokens_in', 'integer', notNull)
    .addColumn('tokens_out', 'integer', notNull)
    .addColumn('cache_read_tokens', 'integer', notNull)
    .addColumn('cache_write_tokens', 'integer', notNull)
    .addColumn('cost_usd', 'double precision')
    .addColumn('cost_status', 'text', notNull)
    .addPrimaryKeyConstraint('batch_usage_pk', ['org_id', 'provider', 'source_id', 'custom_id'])
    .execute();
  // Usage reads of an org over a time range, and retention (oldest first).
  await db.schema.createIndex('batch_usage_org_fetched_idx').on('batch_usage').columns(['org_id', 'fetched_at']).execute();
  await db.schema.createIndex('batch_usage_fetched_idx').on('batch_usage').column('fetched_at').execute();
}
