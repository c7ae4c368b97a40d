import { existsSync } from 'node:fs';
import type { NavPlaneConfig } from '@navplane/config';
import { parseDatabaseUrl } from '@navplane/core';
import {
  createChangeFeed,
  createRepositories,
  getMigrationStatus,
  openDatabase,
  type ChangeFeed,
  type Database,
  type Repositories,
} from '@navplane/storage';
import { createTraceQueries, type TraceQueries } from '@navplane/trace';
import { describeError, safeMessage } from './describe-error';
import { loadConfigOrFail } from './load-config';
import { CliError } from './output';

/** An open, migrated database for one CLI command. */
export interface Store {
  readonly config: NavPlaneConfig;
  readonly database: Database;
  readonly repos: Repositories;
  /** The trace reads the admin API uses too (@navplane/trace): one definition of failures, costs and chains. */
  readonly traces: TraceQueries;
  /**
   * A change feed on the database, created on first use and never started: the CLI only publishes (so
   * running gateways evict their caches) and receives nothing. Closed with the store.
   */
  changeFeed(): ChangeFeed;
  close(): Promise<void>;
}

/** The advice printed when the schema is missing or behind. */
export const MIGRATE_HINT = 'run `npx navplane migrate` (or start `navplane serve` once)';

/**
 * Opens the configured database for a command: refuses (without creating anything) when a SQLite file
 * does not exist, when the database cannot be reached, or when migrations are pending. The CLI never
 * migrates as a side effect of another command.
 */
export async function openStore(config: NavPlaneConfig): Promise<Store> {
  const parsed = parseDatabaseUrl(config.databaseUrl);
  if (!parsed.ok) throw new CliError(`NAVPLANE_DATABASE_URL: ${parsed.error}`);
  const location = parsed.value;
  if (location.dialect === 'sqlite' && location.filename !== ':memory:' && !existsSync(location.filename)) {
    throw new CliError(`the database file ${location.filename} does not exist: ${MIGRATE_HINT}`);
  }
  let database: Database;
  try {
    database = await openDatabase({ url: config.databaseUrl, poolSize: 2 });
  } catch (error) {
    throw new CliError(`cannot open the database: ${describeError(error)}`);
  }
  try {
    const status = await getMigrationStatus(database);
    if (!status.current) {
      throw new CliError(
        status.applied.length === 0
          ? `the database is not initialised: ${MIGRATE_HINT}`
          : `${status.pending.length} database migration(s) pending: ${MIGRATE_HINT}`,
      );
    }
  } catch (error) {
    await database.close().catch(() => undefined);
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot reach the database: ${describeError(error)}`);
  }

  let feed: ChangeFeed | undefined;
  const repos = createRepositories(database);
  return {
    config,
    database,
    repos,
    traces: createTraceQueries({ repos }),
    changeFeed() {
      // Publishing errors surface through publish(); transport warnings have nothing to tell an operator.
      feed ??= createChangeFeed(database, { pollIntervalMs: config.changeFeedPollMs, onError: () => undefined });
      return feed;
    },
    async close() {
      await feed?.close().catch(() => undefined);
      await database.close();
    },
  };
}

/** Loads the configuration, opens the store, runs `work` and always closes the store. */
export async function withStore<T>(work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(loadConfigOrFail());
  try {
    return await work(store);
  } catch (error) {
    if (error instanceof CliError) throw error;
    // E.g. the database failing mid-command: one line, with any connection-string password masked.
    throw new CliError(`command failed: ${safeMessage(error) || describeError(error)}`);
  } finally {
    await store.close();
  }
}
