import type { Kysely, Selectable } from 'kysely';
import type { DB, ProviderKeysTable } from '../schema/schema';

/** A provider key's data-encryption key, wrapped by the master key (AES-256-GCM; base64 fields). */
export interface DekWrapping {
  wrappedDek: string;
  dekIv: string;
  dekAuthTag: string;
}

/** An envelope-encrypted provider key as stored (base64 fields; decrypt only in the vault). */
export interface StoredProviderKey extends DekWrapping {
  id: string;
  orgId: string;
  provider: string;
  /** The key's name within its org and provider (`default` unless named). */
  name: string;
  ciphertext: string;
  iv: string;
  authTag: string;
  /** Version of the master key (KEK) that wrapped the DEK. */
  kekVersion: number;
  last4: string;
  createdAt: string;
  /** When the key was last replaced (null until then). */
  rotatedAt: string | null;
  /**
   * The tenant's own endpoint stored with the key (providers whose upstream is the tenant's, e.g. Azure OpenAI);
   * null otherwise. Not secret: listings show it.
   */
  baseUrl: string | null;
}

/** A provider key as listings show it: no ciphertext, no wrapped DEK. */
export type ProviderKeySummary = Pick<
  StoredProviderKey,
  'id' | 'orgId' | 'provider' | 'name' | 'last4' | 'kekVersion' | 'createdAt' | 'rotatedAt' | 'baseUrl'
>;

/** What re-wrapping under a new master key needs of each key. */
export type ProviderKeyWrapping = Pick<StoredProviderKey, 'id' | 'orgId' | 'provider' | 'name' | 'kekVersion'> & DekWrapping;

/** What storing a provider key needs; `at` is the creation time, or the rotation time when it replaces one. */
export interface UpsertProviderKey extends DekWrapping {
  /** Used only when the org has no key of this provider and name yet; a replacement keeps the existing id. */
  id: string;
  orgId: string;
  provider: string;
  /** The key's name within its org and provider (`default` unless named). */
  name: string;
  ciphertext: string;
  iv: string;
  authTag: string;
  kekVersion: number;
  last4: string;
  at: string;
  /** The tenant's endpoint stored with the key (default null); a replacement replaces it too. */
  baseUrl?: string | null;
}

/** The name of a provider key stored without one (and of every key stored before keys had names). */
export const DEFAULT_PROVIDER_KEY_NAME = 'default';

/**
 * Names under this prefix are the org's internal secrets (e.g. `navplane.placeholder-salt`), sealed like provider
 * keys (and re-wrapped with them) but never listed as provider keys.
 */
export const INTERNAL_SECRET_PREFIX = 'navplane.';

/** Provider keys, envelope-encrypted, one per org, provider and name. */
export interface ProviderKeysRepository {
  /**
   * Stores the org's key of the provider under its name, replacing any existing one of that name (then rotatedAt =
   * at); returns its summary.
   */
  upsert(key: UpsertProviderKey): Promise<ProviderKeySummary>;
  /** The stored (encrypted) key of that provider and name, or undefined. */
  findByOrgAndProvider(orgId: string, provider: string, name: string): Promise<StoredProviderKey | undefined>;
  /**
   * Stores the row only when the org has nothing under this provider and name yet (the first writer wins across
   * processes); true when this call inserted it.
   */
  insertIfAbsent(key: UpsertProviderKey): Promise<boolean>;
  /**
   * The org's provider keys ordered by provider, then name (internal `navplane.` secrets excluded); never ciphertext.
   */
  listByOrg(orgId: string): Promise<ProviderKeySummary[]>;
  /** Deletes the org's key of the provider with that name; true when there was one. */
  delete(orgId: string, provider: string, name: string): Promise<boolean>;
  /** Deletes every key the org holds for the provider, whatever its name; returns what was deleted, by name. */
  deleteAllOfProvider(orgId: string, provider: string): Promise<ProviderKeySummary[]>;
  /** Every key's wrapped DEK, ordered by id (for `vault rotate-master`). */
  listAllForRewrap(): Promise<ProviderKeyWrapping[]>;
  /**
   * Replaces a key's wrapped DEK and KEK version; true when updated. Pass `expected` (what was read) so a key
   * replaced meanwhile is not overwritten with a stale DEK (compare-and-set; false then).
   */
  updateWrapping(
    id: string,
    wrapping: DekWrapping,
    kekVersion: number,
    expected?: { wrappedDek: string; kekVersion: number },
  ): Promise<boolean>;
}

const toStored = (row: Selectable<ProviderKeysTable>): StoredProviderKey => ({
  id: row.id,
  orgId: row.org_id,
  provider: row.provider,
  name: row.name,
  ciphertext: row.ciphertext,
  iv: row.iv,
  authTag: row.auth_tag,
  wrappedDek: row.wrapped_dek,
  dekIv: row.dek_iv,
  dekAuthTag: row.dek_auth_tag,
  kekVersion: row.kek_version,
  last4: row.last4,
  createdAt: row.created_at,
  rotatedAt: row.rotated_at,
  baseUrl: row.base_url,
});

const SUMMARY_COLUMNS = ['id', 'org_id', 'provider', 'name', 'last4', 'kek_version', 'created_at', 'rotated_at', 'base_url'] as const;

const toSummary = (row: Pick<Selectable<ProviderKeysTable>, (typeof SUMMARY_COLUMNS)[number]>): ProviderKeySummary => ({
  id: row.id,
  orgId: row.org_id,
  provider: row.provider,
  name: row.name,
  last4: row.last4,
  kekVersion: row.kek_version,
  createdAt: row.created_at,
  rotatedAt: row.rotated_at,
  baseUrl: row.base_url,
});

/** The sealed key's columns and its base URL (what a replacement overwrites). */
const secretColumns = (key: UpsertProviderKey) => ({
  base_url: key.baseUrl ?? null,
  ciphertext: key.ciphertext,
  iv: key.iv,
  auth_tag: key.authTag,
  wrapped_dek: key.wrappedDek,
  dek_iv: key.dekIv,
  dek_auth_tag: key.dekAuthTag,
  kek_version: key.kekVersion,
  last4: key.last4,
});

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * By provider, then name, in code-unit order: the same on both dialects (a Postgres database's collation would put
 * `EU` after `eu`, SQLite's binary order before it).
 */
const byProviderThenName = (a: ProviderKeySummary, b: ProviderKeySummary): number =>
  compareText(a.provider, b.provider) || compareText(a.name, b.name);

/** The columns naming a key: its row id, org, provider and name. */
const identity = (key: UpsertProviderKey) => ({ id: key.id, org_id: key.orgId, provider: key.provider, name: key.name });

/** The provider-keys repository over `db` (a Kysely instance or transaction). */
export function createProviderKeysRepository(db: Kysely<DB>): ProviderKeysRepository {
  async function findSummary(orgId: string, provider: string, name: string): Promise<ProviderKeySummary> {
    const row = await db
      .selectFrom('provider_keys')
      .select(SUMMARY_COLUMNS)
      .where('org_id', '=', orgId)
      .where('provider', '=', provider)
      .where('name', '=', name)
      .executeTakeFirstOrThrow();
    return toSummary(row);
  }

  return {
    async upsert(key) {
      const secret = secretColumns(key);
      await db
        .insertInto('provider_keys')
        .values({ ...identity(key), ...secret, created_at: key.at, rotated_at: null })
        .onConflict((conflict) => conflict.columns(['org_id', 'provider', 'name']).doUpdateSet({ ...secret, rotated_at: key.at }))
        .execute();
      return findSummary(key.orgId, key.provider, key.name);
    },
    async findByOrgAndProvider(orgId, provider, name) {
      const row = await db
        .selectFrom('provider_keys')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('provider', '=', provider)
        .where('name', '=', name)
        .executeTakeFirst();
      return row && toStored(row);
    },
    async insertIfAbsent(key) {
      const result = await db
        .insertInto('provider_keys')
        .values({ ...identity(key), ...secretColumns(key), created_at: key.at, rotated_at: null })
        .onConflict((conflict) => conflict.columns(['org_id', 'provider', 'name']).doNothing())
        .executeTakeFirst();
      return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
    },
    async listByOrg(orgId) {
      const rows = await db
        .selectFrom('provider_keys')
        .select(SUMMARY_COLUMNS)
        .where('org_id', '=', orgId)
        .where('provider', 'not like', `${INTERNAL_SECRET_PREFIX}%`)
        .execute();
      return rows.map(toSummary).sort(byProviderThenName);
    },
    async delete(orgId, provider, name) {
      const result = await db
        .deleteFrom('provider_keys')
        .where('org_id', '=', orgId)
        .where('provider', '=', provider)
        .where('name', '=', name)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
    async deleteAllOfProvider(orgId, provider) {
      // RETURNING (SQLite >= 3.35, Postgres): what was deleted is exactly what this statement removed.
      const rows = await db
        .deleteFrom('provider_keys')
        .where('org_id', '=', orgId)
        .where('provider', '=', provider)
        .returning(SUMMARY_COLUMNS)
        .execute();
      return rows.map(toSummary).sort(byProviderThenName);
    },
    async listAllForRewrap() {
      const rows = await db
        .selectFrom('provider_keys')
        .select(['id', 'org_id', 'provider', 'name', 'kek_version', 'wrapped_dek', 'dek_iv', 'dek_auth_tag'])
        .orderBy('id')
        .execute();
      return rows.map((row) => ({
        id: row.id,
        orgId: row.org_id,
        provider: row.provider,
        name: row.name,
        kekVersion: row.kek_version,
        wrappedDek: row.wrapped_dek,
        dekIv: row.dek_iv,
        dekAuthTag: row.dek_auth_tag,
      }));
    },
    async updateWrapping(id, wrapping, kekVersion, expected) {
      let update = db
        .updateTable('provider_keys')
        .set({
          wrapped_dek: wrapping.wrappedDek,
          dek_iv: wrapping.dekIv,
          dek_auth_tag: wrapping.dekAuthTag,
          kek_version: kekVersion,
        })
        .where('id', '=', id);
      if (expected) {
        update = update.where('wrapped_dek', '=', expected.wrappedDek).where('kek_version', '=', expected.kekVersion);
      }
      const result = await update.executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}
