import { errorMessage } from '@navplane/core';
import { DEFAULT_MIGRATION_TABLE, Migrator, type Kysely } from 'kysely';
import type { Database } from '../database/open-database';
import { MIGRATIONS, staticMigrationProvider } from './migration-list';

/** Where the schema stands against the migrations this build knows. */
export interface MigrationStatus {
  /** True when every known migration has been applied. */
  current: boolean;
  /** Applied migration names, in order (including any this build does not know). */
  applied: string[];
  /** Known migrations not applied yet, in order. */
  pending: string[];
  /** Applied migrations this build does not know: the database was migrated by a newer release. */
  unknown: string[];
}

function migratorFor(database: Database): Migrator {
  return new Migrator({ db: database.db, provider: staticMigrationProvider(database.dialect) });
}

/**
 * Applies every pending migration and returns their names. Safe when several processes start at once:
 * Postgres takes Kysely's advisory lock, SQLite a `BEGIN IMMEDIATE` write lock. Each run is one
 * transaction on both dialects. Rejects with the failing migration's error.
 */
export async function migrateToLatest(database: Database): Promise<{ applied: string[] }> {
  const { error, results = [] } = await migratorFor(database).migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((result) => result.status === 'Error')?.migrationName;
    const which = failed === undefined ? 'Database migration' : `Database migration ${failed}`;
    throw new Error(`${which} failed: ${errorMessage(error)}`, { cause: error });
  }
  return { applied: results.filter((result) => result.status === 'Success').map((result) => result.migrationName) };
}

/** Reports applied and pending migrations; on an empty database: current=false, every migration pending. */
export async function getMigrationStatus(database: Database): Promise<MigrationStatus> {
  const applied = await appliedMigrationNames(database.db);
  const known = MIGRATIONS.map(([name]) => name);
  const appliedSet = new Set(applied);
  const pending = known.filter((name) => !appliedSet.has(name));
  const knownSet = new Set(known);
  return { current: pending.length === 0, applied, pending, unknown: applied.filter((name) => !knownSet.has(name)) };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's own bookkeeping table is not in DB.
async function appliedMigrationNames(db: Kysely<any>): Promise<string[]> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  if (!tables.some((table) => table.name === DEFAULT_MIGRATION_TABLE)) return [];
  const rows: Array<{ name: string }> = await db.selectFrom(DEFAULT_MIGRATION_TABLE).select('name').orderBy('name').execute();
  return rows.map((row) => row.name);
}
