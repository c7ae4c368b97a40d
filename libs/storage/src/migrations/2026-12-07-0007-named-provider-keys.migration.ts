import { sql, type Kysely } from 'kysely';

// FROZEN on 2026-12-07: this file must never change once released, and must import nothing from the app
// (only kysely). Fix mistakes with a new migration.

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations see the schema of their own time. */
type Db = Kysely<any>;

/**
 * Named provider keys (docs/storage.md): `provider_keys.name` (not null; every existing row becomes `default`) and
 * one key per (org, provider, name) instead of per (org, provider). Postgres swaps the unique constraint in place;
 * SQLite cannot drop a table constraint, so the table is rebuilt (create, copy, drop, rename) inside the migration's
 * own transaction: a failure leaves the old table as it was. Nothing references `provider_keys`, so dropping it with
 * foreign keys on is safe.
 */
export async function up(db: Db, dialect: 'sqlite' | 'postgres'): Promise<void> {
  if (dialect === 'postgres') {
    await db.schema
      .alterTable('provider_keys')
      .addColumn('name', 'text', (c) => c.notNull().defaultTo('default'))
      .execute();
    // Every writer names the key from now on: no default behind its back.
    await sql`alter table provider_keys alter column name drop default`.execute(db);
    await db.schema.alterTable('provider_keys').dropConstraint('provider_keys_org_provider_uq').execute();
    await db.schema
      .alterTable('provider_keys')
      .addUniqueConstraint('provider_keys_org_provider_name_uq', ['org_id', 'provider', 'name'])
      .execute();
    return;
  }

  await db.schema
    .createTable('provider_keys_next')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('ciphertext', 'text', (c) => c.notNull())
    .addColumn('iv', 'text', (c) => c.notNull())
    .addColumn('auth_tag', 'text', (c) => c.notNull())
    .addColumn('wrapped_dek', 'text', (c) => c.notNull())
    .addColumn('dek_iv', 'text', (c) => c.notNull())
    .addColumn('dek_auth_tag', 'text', (c) => c.notNull())
    .addColumn('kek_version', 'integer', (c) => c.notNull())
    .addColumn('last4', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('rotated_at', 'text')
    .addColumn('base_url', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addUniqueConstraint('provider_keys_org_provider_name_uq', ['org_id', 'provider', 'name'])
    .execute();
  await sql`
    insert into provider_keys_next
      (id, org_id, provider, ciphertext, iv, auth_tag, wrapped_dek, dek_iv, dek_auth_tag, kek_version, last4,
       created_at, rotated_at, base_url, name)
    select id, org_id, provider, ciphertext, iv, auth_tag, wrapped_dek, dek_iv, dek_auth_tag, kek_version, last4,
       created_at, rotated_at, base_url, 'default'
    from provider_keys`.execute(db);
  await db.schema.dropTable('provider_keys').execute();
  await db.schema.alterTable('provider_keys_next').renameTo('provider_keys').execute();
}
