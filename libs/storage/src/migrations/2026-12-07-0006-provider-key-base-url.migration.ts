import type { Kysely } from 'kysely';

// FROZEN on 2026-12-07: this file must never change once released, and must import nothing from the app
// (only kysely). Fix mistakes with a new migration.

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations see the schema of their own time. */
type Db = Kysely<any>;

/**
 * The tenant's own endpoint, stored with its provider key for providers whose upstream is the tenant's (Azure
 * OpenAI's `https://<resource>.openai.azure.com`, docs/gateway.md). Null for every other provider: their upstream is
 * the operator's. Plain text: not secret, but bound into the key's AAD by the vault (docs/security-vault.md).
 */
export async function up(db: Db): Promise<void> {
  await db.schema.alterTable('provider_keys').addColumn('base_url', 'text').execute();
}
