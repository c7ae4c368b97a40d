import type {
  CompiledQuery,
  DatabaseConnection,
  DatabaseIntrospector,
  Dialect,
  DialectAdapter,
  Driver,
  Kysely,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from 'kysely';
import { isStorageOutage, storageUnavailable } from './storage-unavailable';

const rethrow =
  (connecting: boolean) =>
  (error: unknown): never => {
    throw isStorageOutage(error, connecting) ? storageUnavailable(error) : error;
  };

/** Runs `call` (drivers may throw synchronously: better-sqlite3 does) and maps an outage error. */
async function guarded<T>(call: () => Promise<T>, connecting = false): Promise<T> {
  try {
    return await call();
  } catch (error) {
    return rethrow(connecting)(error);
  }
}

// The connection the wrapped driver gave out, behind each one handed to Kysely: the driver's own methods get it back
// (Postgres releases a pooled client through a private member of its own connection object).
const INNER = new WeakMap<DatabaseConnection, DatabaseConnection>();
const inner = (connection: DatabaseConnection): DatabaseConnection => INNER.get(connection) ?? connection;

function wrapConnection(connection: DatabaseConnection): DatabaseConnection {
  const wrapped: DatabaseConnection = {
    executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
      return guarded(() => connection.executeQuery<R>(query));
    },
    async *streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
      try {
        yield* connection.streamQuery<R>(query, chunkSize);
      } catch (error) {
        rethrow(false)(error);
      }
    },
  };
  INNER.set(wrapped, connection);
  return wrapped;
}

/** A driver whose outage errors (see isStorageOutage) reject as `storage_unavailable`; other errors pass unchanged. */
function outageAwareDriver(driver: Driver): Driver {
  type Savepoint = (connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) => Promise<void>;
  // Savepoints only where the wrapped driver has them: Kysely checks for the methods themselves.
  const savepoint = (method: Savepoint | undefined): Savepoint | undefined =>
    method === undefined ? undefined : (connection, name, compile) => guarded(() => method(inner(connection), name, compile));
  const wrapped: Driver = {
    init: () => guarded(() => driver.init(), true),
    acquireConnection: async () => wrapConnection(await guarded(() => driver.acquireConnection(), true)),
    beginTransaction: (connection: DatabaseConnection, settings: TransactionSettings) =>
      guarded(() => driver.beginTransaction(inner(connection), settings)),
    commitTransaction: (connection: DatabaseConnection) => guarded(() => driver.commitTransaction(inner(connection))),
    rollbackTransaction: (connection: DatabaseConnection) => guarded(() => driver.rollbackTransaction(inner(connection))),
    releaseConnection: (connection: DatabaseConnection) => driver.releaseConnection(inner(connection)),
    destroy: () => driver.destroy(),
  };
  const points = {
    savepoint: savepoint(driver.savepoint?.bind(driver)),
    rollbackToSavepoint: savepoint(driver.rollbackToSavepoint?.bind(driver)),
    releaseSavepoint: savepoint(driver.releaseSavepoint?.bind(driver)),
  };
  for (const [name, method] of Object.entries(points)) if (method !== undefined) Object.assign(wrapped, { [name]: method });
  return wrapped;
}

/**
 * Wraps a Kysely dialect so that every database call made while the database is unavailable — down, unreachable,
 * restarting, locked by another connection — rejects with one AppError, `storage_unavailable` (retryable), whatever
 * the dialect: callers map it to 503 with `Retry-After` (docs/operations.md) instead of a 500.
 */
export class OutageAwareDialect implements Dialect {
  constructor(private readonly dialect: Dialect) {}

  createDriver(): Driver {
    return outageAwareDriver(this.dialect.createDriver());
  }
  createQueryCompiler(): QueryCompiler {
    return this.dialect.createQueryCompiler();
  }
  createAdapter(): DialectAdapter {
    return this.dialect.createAdapter();
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's own Dialect signature.
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return this.dialect.createIntrospector(db);
  }
}
