import { sql, type ColumnDefinitionBuilder, type CreateTableBuilder, type Kysely } from 'kysely';

// FROZEN on 2026-11-23: this file must never change once released, and must import nothing from the app
// (only kysely). Fix mistakes with a new migration. `dialect` comes from the migration list, so the file
// does not depend on how the app detects it.

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations see the schema of their own time. */
type Db = Kysely<any>;
type Table = CreateTableBuilder<any, any>;

/** Creates the initial schema on `dialect`. */
export async function up(db: Db, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const pg = dialect === 'postgres';
  // JSON: jsonb on Postgres (validated, queryable); text checked with json_valid on SQLite.
  const jsonType = pg ? 'jsonb' : 'text';
  const jsonChecked = (column: string) => (table: Table) =>
    pg ? table : table.addCheckConstraint(`${column}_is_json`, sql`json_valid(${sql.ref(column)})`);
  const bool = (column: string) => sql`${sql.ref(column)} in (0, 1)`;
  const ts = 'text'; // ISO-8601 UTC, fixed width: sorts as text in time order on both dialects.
  const notNull = (c: ColumnDefinitionBuilder) => c.notNull();

  await db.schema
    .createTable('orgs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', notNull)
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', ts, notNull)
    .addColumn('updated_at', ts, notNull)
    .addCheckConstraint('orgs_enabled_bool', bool('enabled'))
    .execute();

  await db.schema
    .createTable('workspaces')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('name', 'text', notNull)
    .addColumn('created_at', ts, notNull)
    .execute();
  await db.schema.createIndex('workspaces_org_idx').on('workspaces').columns(['org_id', 'created_at']).execute();

  await db.schema
    .createTable('gateway_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('workspace_id', 'text', (c) => c.references('workspaces.id'))
    .addColumn('name', 'text', notNull)
    .addColumn('public_id', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text', notNull)
    .addColumn('display_prefix', 'text', notNull)
    .addColumn('scopes', jsonType, notNull)
    .addColumn('created_at', ts, notNull)
    .addColumn('expires_at', ts)
    .addColumn('revoked_at', ts)
    .addColumn('last_used_at', ts)
    .addColumn('rotated_from_id', 'text', (c) => c.references('gateway_keys.id'))
    .addColumn('grace_ends_at', ts)
    .addUniqueConstraint('gateway_keys_public_id_uq', ['public_id'])
    .$call(jsonChecked('scopes'))
    .execute();
  await db.schema.createIndex('gateway_keys_org_idx').on('gateway_keys').columns(['org_id', 'created_at']).execute();

  await db.schema
    .createTable('provider_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('provider', 'text', notNull)
    // Envelope encryption (AES-256-GCM), every binary field base64 text: identical on both dialects.
    .addColumn('ciphertext', 'text', notNull)
    .addColumn('iv', 'text', notNull)
    .addColumn('auth_tag', 'text', notNull)
    .addColumn('wrapped_dek', 'text', notNull)
    .addColumn('dek_iv', 'text', notNull)
    .addColumn('dek_auth_tag', 'text', notNull)
    .addColumn('kek_version', 'integer', notNull)
    .addColumn('last4', 'text', notNull)
    .addColumn('created_at', ts, notNull)
    .addColumn('rotated_at', ts)
    .addUniqueConstraint('provider_keys_org_provider_uq', ['org_id', 'provider'])
    .execute();

  await db.schema
    .createTable('admin_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', notNull)
    .addColumn('token_hash', 'text', notNull)
    .addColumn('display_prefix', 'text', notNull)
    .addColumn('created_at', ts, notNull)
    .addColumn('revoked_at', ts)
    .addColumn('last_used_at', ts)
    .execute();

  await db.schema
    .createTable('policies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('scope_type', 'text', notNull)
    .addColumn('scope_value', 'text')
    .addColumn('mode', 'text', notNull)
    .addColumn('config', jsonType, notNull)
    .addColumn('created_at', ts, notNull)
    .addColumn('updated_at', ts, notNull)
    .addCheckConstraint('policies_scope_value', sql`(scope_type = 'org') = (scope_value is null)`)
    .$call(jsonChecked('config'))
    .execute();
  // NULLs are distinct in unique constraints on both dialects, so the org-wide policy (scope_value NULL)
  // is made unique through an expression index.
  await sql`create unique index policies_scope_uq on policies (org_id, scope_type, coalesce(scope_value, ''))`.execute(db);

  await db.schema
    .createTable('traces')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', notNull)
    .addColumn('workspace_id', 'text')
    .addColumn('key_id', 'text')
    .addColumn('provider', 'text', notNull)
    .addColumn('model', 'text')
    .addColumn('route', 'text', notNull)
    .addColumn('method', 'text', notNull)
    .addColumn('status', 'integer', notNull)
    .addColumn('request_id', 'text', notNull)
    .addColumn('started_at', ts, notNull)
    .addColumn('latency_ms', 'double precision', notNull)
    .addColumn('ttfb_ms', 'double precision')
    .addColumn('overhead_ms', 'double precision')
    .addColumn('tokens_in', 'integer')
    .addColumn('tokens_out', 'integer')
    .addColumn('cache_read_tokens', 'integer')
    .addColumn('cache_write_tokens', 'integer')
    .addColumn('cost_usd', 'double precision')
    .addColumn('cost_status', 'text', notNull)
    .addColumn('error_class', 'text')
    .addColumn('upstream_failure', 'text')
    .addColumn('trace_group', 'text')
    .addColumn('thread_id', 'text')
    .addColumn('run_id', 'text')
    .addColumn('parent_trace_id', 'text')
    .addColumn('policy_decisions', jsonType)
    .addColumn('request_body', 'text')
    .addColumn('response_body', 'text')
    .addColumn('stream', 'integer', (c) => c.notNull().defaultTo(0))
    .addCheckConstraint('traces_stream_bool', bool('stream'))
    .$call(jsonChecked('policy_decisions'))
    .execute();
  await db.schema.createIndex('traces_org_started_idx').on('traces').columns(['org_id', 'started_at desc', 'id desc']).execute();
  await db.schema.createIndex('traces_key_started_idx').on('traces').columns(['key_id', 'started_at']).execute();
  for (const column of ['trace_group', 'thread_id', 'run_id', 'parent_trace_id']) {
    // Partial: most traces carry no lineage, so these indexes stay small.
    await db.schema.createIndex(`traces_${column}_idx`).on('traces').column(column).where(sql.ref(column), 'is not', null).execute();
  }

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', ts, notNull)
    .addColumn('actor_type', 'text', notNull)
    .addColumn('actor_id', 'text')
    .addColumn('org_id', 'text')
    .addColumn('action', 'text', notNull)
    .addColumn('target_type', 'text')
    .addColumn('target_id', 'text')
    .addColumn('ip', 'text')
    .addColumn('details', jsonType)
    .$call(jsonChecked('details'))
    .execute();
  await db.schema.createIndex('audit_log_org_at_idx').on('audit_log').columns(['org_id', 'at']).execute();
  await db.schema.createIndex('audit_log_at_idx').on('audit_log').column('at').execute();

  // The SQLite change feed's log; its autoincrement id is the version pollers compare. Created on both
  // dialects so the schema is the same everywhere (Postgres instances use LISTEN/NOTIFY and leave it empty).
  let changeEvents: Table = db.schema.createTable('change_events');
  changeEvents = pg
    ? changeEvents.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    : changeEvents.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  await changeEvents
    .addColumn('topic', 'text', notNull)
    .addColumn('payload', 'text', notNull)
    .addColumn('origin', 'text', notNull)
    .addColumn('created_at', ts, notNull)
    .execute();
}
