import type BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type SqliteDatabase,
  type SqliteDialectConfig,
  type SqliteStatement,
} from 'kysely';
import { LRUCache } from 'lru-cache';

/** Prepared statements kept per connection (by SQL text, least recently used evicted). */
const CACHED_STATEMENTS = 256;

/**
 * A better-sqlite3 connection whose `prepare` reuses the statement already prepared for the same SQL text.
 * Kysely's driver prepares every query it runs; for the trace writer's 200-row insert, preparing cost a third of
 * executing. Reuse is safe because the driver runs one query at a time on its connection (a streamed query holds
 * the connection until its iterator ends), and SQLite re-prepares a statement by itself after a schema change.
 */
export class StatementCachingDatabase implements SqliteDatabase {
  readonly #connection: BetterSqlite3.Database;
  readonly #statements = new LRUCache<string, BetterSqlite3.Statement>({ max: CACHED_STATEMENTS });

  constructor(connection: BetterSqlite3.Database) {
    this.#connection = connection;
  }

  prepare(sql: string): SqliteStatement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#connection.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  close(): void {
    this.#statements.clear();
    this.#connection.close();
  }
}

// Kysely's SQLite driver opens transactions with a plain (deferred) `BEGIN`. In WAL mode a deferred
// transaction that reads and then writes fails with SQLITE_BUSY_SNAPSHOT, without waiting, when another
// process wrote in between. `BEGIN IMMEDIATE` takes the write lock up front and waits `busy_timeout` for it,
// which is what we want for every write transaction, and it turns the migration transaction into a
// cross-process migration lock (two processes starting at once: the second waits, then finds nothing to do).
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

// SQLite runs DDL transactionally; Kysely's adapter says false only because plain BEGIN would not lock.
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/** Kysely's SQLite dialect with `BEGIN IMMEDIATE` transactions and transactional migrations. */
export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}
