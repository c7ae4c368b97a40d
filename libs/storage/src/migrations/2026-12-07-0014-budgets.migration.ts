import type { ColumnDefinitionBuilder, CreateTableBuilder, Kysely } from 'kysely';

// FROZEN on 2026-12-07: this file must never change once released, and must import nothing from the app
// (only kysely). Fix mistakes with a new migration.

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations see the schema of their own time. */
type Db = Kysely<any>;

/**
 * Budgets and spend alerts (docs/limits.md, "Budgets", "Spend alerts").
 *
 * `budget_spend`: the settled spend of one budget scope in one period, in USD — one row per (org, scope key such as
 * `org`, `workspace:ws_…`, `key:key_…`, period `day`/`month`, period start `YYYY-MM-DD` in UTC), added to atomically
 * as requests end. The database is the truth (a restart forgets nothing); live reservations are not stored here.
 * `unpriced_requests` counts the requests of models without a price, which are never counted as $0 spend.
 *
 * `budget_alerts`: one row per spend alert claimed — unique per (org, scope key, period, period start, threshold), so
 * of several instances crossing the same threshold only the one whose insert wins sends it. `status` is `sending`,
 * `sent` or `failed`.
 *
 * The webhook secret that signs alerts is not stored here: it is the org's vault secret `navplane.webhook-secret`,
 * sealed under the master key like every provider key (and re-wrapped by `navplane vault rotate-master`).
 */
export async function up(db: Db): Promise<void> {
  // The same DDL on both dialects, so the dialect argument is not needed.
  const notNull = (c: ColumnDefinitionBuilder) => c.notNull();
  // Both tables begin with the budget period they are about: the org, the scope, the period and its start.
  const budgetPeriod = <T extends string>(table: CreateTableBuilder<T>) =>
    table
      .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
      .addColumn('scope_key', 'text', notNull)
      .addColumn('period', 'text', notNull)
      .addColumn('period_start', 'text', notNull);
  await db.schema
    .createTable('budget_spend')
    .$call(budgetPeriod)
    .addColumn('spent_usd', 'double precision', notNull)
    .addColumn('unpriced_requests', 'integer', notNull)
    .addColumn('updated_at', 'text', notNull)
    .addPrimaryKeyConstraint('budget_spend_pk', ['org_id', 'scope_key', 'period', 'period_start'])
    .execute();
  await db.schema
    .createTable('budget_alerts')
    .$call(budgetPeriod)
    .addColumn('threshold', 'double precision', notNull)
    .addColumn('spent_usd', 'double precision', notNull)
    .addColumn('budget_usd', 'double precision', notNull)
    .addColumn('status', 'text', notNull)
    .addColumn('attempts', 'integer', notNull)
    .addColumn('created_at', 'text', notNull)
    .addColumn('updated_at', 'text', notNull)
    .addPrimaryKeyConstraint('budget_alerts_pk', ['org_id', 'scope_key', 'period', 'period_start', 'threshold'])
    .execute();
}
