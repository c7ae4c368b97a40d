import {
  CompiledQuery,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type SqliteDialectConfig,
} from 'kysely';

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
