import type { Kysely, Selectable } from 'kysely';
import type { AdminTokensTable, DB } from '../schema/schema';

/** A platform-admin token as stored: argon2id hash only (for verification; never show it). */
export interface AdminToken {
  id: string;
  name: string;
  /** argon2id hash of the token. */
  tokenHash: string;
  displayPrefix: string;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

/** An admin token as listings show it: no hash. */
export type AdminTokenSummary = Omit<AdminToken, 'tokenHash'>;

/** What creating an admin token stores. */
export type NewAdminToken = Pick<AdminToken, 'id' | 'name' | 'tokenHash' | 'displayPrefix' | 'createdAt'>;

/** Platform-admin tokens (created by the CLI, argon2id-hashed). */
export interface AdminTokensRepository {
  /** Stores a new token and returns its summary. */
  insert(token: NewAdminToken): Promise<AdminTokenSummary>;
  /** The token (hash included), or undefined. */
  findById(id: string): Promise<AdminToken | undefined>;
  /** Tokens not revoked, oldest first, hashes included (verification needs them; strip before showing). */
  listActive(): Promise<AdminToken[]>;
  /** Revokes the token; true when it was active and is now revoked. */
  revoke(id: string, at: string): Promise<boolean>;
  /** Records a use at `at` (never moves last_used_at backwards). */
  touchLastUsed(id: string, at: string): Promise<void>;
}

const toToken = (row: Selectable<AdminTokensTable>): AdminToken => ({
  id: row.id,
  name: row.name,
  tokenHash: row.token_hash,
  displayPrefix: row.display_prefix,
  createdAt: row.created_at,
  revokedAt: row.revoked_at,
  lastUsedAt: row.last_used_at,
});

/** The admin-tokens repository over `db` (a Kysely instance or transaction). */
export function createAdminTokensRepository(db: Kysely<DB>): AdminTokensRepository {
  return {
    async insert(token) {
      await db
        .insertInto('admin_tokens')
        .values({
          id: token.id,
          name: token.name,
          token_hash: token.tokenHash,
          display_prefix: token.displayPrefix,
          created_at: token.createdAt,
          revoked_at: null,
          last_used_at: null,
        })
        .execute();
      return {
        id: token.id,
        name: token.name,
        displayPrefix: token.displayPrefix,
        createdAt: token.createdAt,
        revokedAt: null,
        lastUsedAt: null,
      };
    },
    async findById(id) {
      const row = await db.selectFrom('admin_tokens').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toToken(row);
    },
    async listActive() {
      const rows = await db
        .selectFrom('admin_tokens')
        .selectAll()
        .where('revoked_at', 'is', null)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toToken);
    },
    async revoke(id, at) {
      const result = await db
        .updateTable('admin_tokens')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async touchLastUsed(id, at) {
      await db
        .updateTable('admin_tokens')
        .set({ last_used_at: at })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at)]))
        .execute();
    },
  };
}
