import type { Kysely } from 'kysely';

// FROZEN on 2026-12-07: this file must never change once released, and must import nothing from the app
// (only kysely). Fix mistakes with a new migration.

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations see the schema of their own time. */
type Db = Kysely<any>;

/**
 * OpenTelemetry correlation (docs/observability.md): `traces.otel_trace_id`, the W3C trace id (32 lower-case hex digits)
 * of the request's server span when OpenTelemetry is on, null otherwise; indexed so `navplane trace show <otel id>`
 * finds the row.
 */
export async function up(db: Db): Promise<void> {
  await db.schema.alterTable('traces').addColumn('otel_trace_id', 'text').execute();
  await db.schema.createIndex('traces_otel_trace_id_idx').on('traces').column('otel_trace_id').execute();
}
