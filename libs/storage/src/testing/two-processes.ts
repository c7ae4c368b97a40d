import { newId, toIso, type DialectName } from '@navplane/core';
import { createChangeFeed, type ChangeFeed } from '../change-feed/change-feed';
import { openDatabase, type Database } from '../database/open-database';
import { createRepositories, type Repositories } from '../repositories/create-repositories';
import type { Org } from '../repositories/orgs.repository';
import { createTestDatabase, type TestDatabase } from './test-database';

/**
 * One fresh test database seen by two processes, as the specs of the change-feed-driven caches need it: this process
 * and another one (another gateway, or the admin API), each with its own connection, repositories and started
 * change feed, so a change one writes and announces reaches the other only as it would in production.
 */
export interface TwoProcesses {
  readonly test: TestDatabase;
  readonly repos: Repositories;
  readonly feed: ChangeFeed;
  /** The other process's connection. */
  readonly other: Database;
  readonly otherRepos: Repositories;
  readonly otherFeed: ChangeFeed;
  /** Creates an org (named `Acme` unless told) through `repos`. */
  seedOrg(name?: string): Promise<Org>;
  /** Has `close()` close `closeable` (a store under test) before the feeds it listens to; returns it. */
  own<T extends { close(): Promise<void> }>(closeable: T): T;
  /** Closes what `own` was given, then both feeds and the other connection, and drops the database (afterAll). */
  close(): Promise<void>;
}

/** Opens {@link TwoProcesses} on a fresh database of `dialect`, its feeds polling every 50 ms (SQLite) and started. */
export async function openTwoProcesses(dialect: DialectName): Promise<TwoProcesses> {
  const test = await createTestDatabase(dialect);
  const other = await openDatabase({ url: test.url, poolSize: 4 });
  const repos = createRepositories(test.database);
  const feed = createChangeFeed(test.database, { pollIntervalMs: 50 });
  const otherFeed = createChangeFeed(other, { pollIntervalMs: 50 });
  await feed.start();
  await otherFeed.start();
  const owned: { close(): Promise<void> }[] = [];
  return {
    test,
    repos,
    feed,
    other,
    otherRepos: createRepositories(other),
    otherFeed,
    seedOrg: (name = 'Acme') => repos.orgs.create({ id: newId('org'), name, createdAt: toIso(Date.now()) }),
    own(closeable) {
      owned.push(closeable);
      return closeable;
    },
    async close() {
      for (const closeable of owned) await closeable.close();
      await feed.close();
      await otherFeed.close();
      await other.close();
      await test.drop();
    },
  };
}

/** The repository methods a cache reads through, each returning a promise. */
type ReadMethods<K extends string> = Record<K, (...args: never[]) => Promise<unknown>>;

/**
 * `inner`'s `methods`, really called (nothing is faked) and counted by name in `calls`; while `failing.on` each
 * rejects with `database is down` instead, so a spec can take the database away from one cache only.
 */
export function countedReads<K extends string, R extends ReadMethods<K>>(
  inner: R,
  methods: readonly K[],
  failing: { on: boolean },
): { repo: Pick<R, K>; calls: K[] } {
  const calls: K[] = [];
  const repo = {} as Pick<R, K>;
  for (const method of methods) {
    const read = inner[method];
    const counted = (...args: unknown[]): Promise<unknown> => {
      calls.push(method);
      return failing.on ? Promise.reject(new Error('database is down')) : (Reflect.apply(read, inner, args) as Promise<unknown>);
    };
    Object.defineProperty(repo, method, { value: counted, enumerable: true });
  }
  return { repo, calls };
}

/** Resolves with the milliseconds it took once `probe()` holds (checked every 10 ms); rejects after `timeoutMs`. */
export async function waitFor(probe: () => boolean, timeoutMs = 3000): Promise<number> {
  const started = Date.now();
  while (!probe()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - started;
}
