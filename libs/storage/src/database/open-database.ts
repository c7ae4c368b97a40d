import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { parseDatabaseUrl, type DatabaseLocation, type DialectName } from '@navplane/core';
import type { DB } from '../schema/schema';
import { DIALECT_CAPABILITIES, type DialectCapabilities } from './dialect-capabilities';
import { PG_TYPES } from './pg-types';
import { OutageAwareDialect } from './outage-aware.dialect';
import { ImmediateSqliteDialect, StatementCachingDatabase } from './sqlite-immediate.dialect';

/** An open database: the Kysely instance plus what callers need to know about its dialect. */
export interface Database {
  /** The typed query builder (a pool on Postgres, the single connection on SQLite). */
  readonly db: Kysely<DB>;
  /** Which dialect this is; branch on `capabilities`, not on this. */
  readonly dialect: DialectName;
  /** What differs between dialects, as named capabilities. */
  readonly capabilities: DialectCapabilities;
  /** Where the database lives (the Postgres connection string may carry a password: never log it). */
  readonly location: DatabaseLocation;
  /** Resolves when the database answers `select 1`; rejects otherwise (used by /readyz). */
  ping(): Promise<void>;
  /** Closes the pool / file handle; safe to call more than once. */
  close(): Promise<void>;
}

/** Options of openDatabase. */
export interface OpenDatabaseOptions {
  /** `sqlite:<path>`, `sqlite::memory:` or `postgres://…` (see parseDatabaseUrl in `@navplane/core`). */
  url: string;
  /** Postgres pool size (`NAVPLANE_DATABASE_POOL_SIZE` for the runtime's pool; unused with SQLite). */
  poolSize: number;
  /** How long a SQLite writer waits for another process's write lock, in ms (default 5000). */
  sqliteBusyTimeoutMs?: number;
  /** Called when an idle pooled Postgres connection fails (default: ignored; pg drops it and reconnects). */
  onError?: (error: Error) => void;
  /** Postgres `application_name` of the pool's connections, as `pg_stat_activity` shows it (default: pg's). */
  applicationName?: string;
  /**
   * Longest wait for a Postgres connection, in ms (default 10000): a server that does not answer (a network
   * partition) fails calls as `storage_unavailable` after it instead of hanging them.
   */
  connectTimeoutMs?: number;
}

/**
 * Opens a database (default sqliteBusyTimeoutMs 5000, connectTimeoutMs 10000). SQLite: creates the file's
 * directory, sets WAL, busy_timeout, foreign_keys=ON, synchronous=NORMAL. Postgres: a pg Pool (max = poolSize) with
 * int8 parsed to numbers; it connects lazily, so an unreachable server shows up in `ping()`, not here.
 * Throws on a bad URL (one line, `Database URL must be …`, never echoing the URL) or an unopenable SQLite
 * file (start-up configuration errors). Once open, every call made while the database is unavailable (down,
 * unreachable, locked by another connection) rejects with the AppError `storage_unavailable`
 * (storage-unavailable.ts), other failures with the driver's own error.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const parsed = parseDatabaseUrl(options.url);
  if (!parsed.ok) throw new Error(`Database URL ${parsed.error}`);
  const location = parsed.value;
  if (location.dialect === 'postgres') {
    return openPostgres(location, options.poolSize, options.onError, options.applicationName, options.connectTimeoutMs ?? 10_000);
  }
  if (location.filename !== ':memory:') await mkdir(dirname(location.filename), { recursive: true });
  return openSqlite(location, options.sqliteBusyTimeoutMs ?? 5000);
}

function openSqlite(location: Extract<DatabaseLocation, { dialect: 'sqlite' }>, busyTimeoutMs: number): Database {
  const connection = new BetterSqlite3(location.filename, { timeout: busyTimeoutMs });
  connection.pragma('journal_mode = WAL');
  connection.pragma(`busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
  connection.pragma('foreign_keys = ON');
  // In WAL mode NORMAL is durable against application crashes and only risks the last commits on power loss.
  connection.pragma('synchronous = NORMAL');
  const db = new Kysely<DB>({
    dialect: new OutageAwareDialect(new ImmediateSqliteDialect({ database: new StatementCachingDatabase(connection) })),
  });
  return assemble('sqlite', location, db);
}

function openPostgres(
  location: Extract<DatabaseLocation, { dialect: 'postgres' }>,
  poolSize: number,
  onError: ((error: Error) => void) | undefined,
  applicationName: string | undefined,
  connectTimeoutMs: number,
): Database {
  const pool = new pg.Pool({
    connectionString: location.connectionString,
    max: poolSize,
    connectionTimeoutMillis: connectTimeoutMs,
    types: PG_TYPES,
    ...(applicationName === undefined ? {} : { application_name: applicationName }),
  });
  // Without a listener, an idle client's error (server restart, pg_terminate_backend) would crash the process.
  pool.on('error', (error) => onError?.(error));
  // The pool listens to its idle clients only: a connection reset while a client is checked out (the network or
  // the server went away mid-query) would be an unhandled 'error' event — a crash. The query itself rejects with
  // that error (storage_unavailable), and the pool drops the broken client when it is released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<DB>({ dialect: new OutageAwareDialect(new PostgresDialect({ pool })) });
  return assemble('postgres', location, db);
}

function assemble(dialect: DialectName, location: DatabaseLocation, db: Kysely<DB>): Database {
  let closing: Promise<void> | undefined;
  return {
    db,
    dialect,
    capabilities: DIALECT_CAPABILITIES[dialect],
    location,
    async ping() {
      await sql`select 1`.execute(db);
    },
    close() {
      closing ??= db.destroy();
      return closing;
    },
  };
}
