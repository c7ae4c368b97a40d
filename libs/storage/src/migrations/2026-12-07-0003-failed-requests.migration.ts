import { sql, type Kysely } from 'kysely';

// FROZEN on 2026-12-07: this file must never change once released, and must import nothing from the app
// (only kysely). Fix mistakes with a new migration.

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations see the schema of their own time. */
type Db = Kysely<any>;

/**
 * One definition of a failed request for every read (docs/traces.md, "Failed requests"): a status >= 400, or a
 * response that broke after it had started (an error class other than `client_aborted`). The partial index of
 * failed rows follows it; queries spell the same predicate, literally, so SQLite matches the index.
 */
export async function up(db: Db): Promise<void> {
  await db.schema.dropIndex('traces_org_failed_idx').execute();
  await db.schema
    .createIndex('traces_org_failed_idx')
    .on('traces')
    .columns(['org_id', 'started_at desc', 'id desc'])
    .where(sql<boolean>`(status >= 400 or (error_class is not null and error_class <> 'client_aborted'))`)
    .execute();
}
