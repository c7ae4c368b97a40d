import { expect } from '@jest/globals';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { isAppError, newId } from '@navplane/core';
import { createRepositories } from '../repositories/create-repositories';
import { createTestDatabase, prepareDatabaseOutage, TEST_DIALECTS, type TestDatabase } from '../testing';
import { DIALECT_CAPABILITIES } from './dialect-capabilities';
import { openDatabase } from './open-database';

describe.each(TEST_DIALECTS)('openDatabase on %s', (dialect) => {
  let test: TestDatabase;

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
  });
  afterAll(() => test.drop());

  it('names its dialect and capabilities', () => {
    expect(test.database.dialect).toBe(dialect);
    expect(test.database.capabilities).toBe(DIALECT_CAPABILITIES[dialect]);
    expect(test.database.location.dialect).toBe(dialect);
  });

  it('pings, and closes idempotently (ping fails afterwards)', async () => {
    const second = await openDatabase({ url: test.url, poolSize: 2 });
    await expect(second.ping()).resolves.toBeUndefined();
    await second.close();
    await second.close();
    await expect(second.ping()).rejects.toBeDefined();
  });

  it('rejects with storage_unavailable while the database is unavailable, other errors unchanged, and recovers', async () => {
    const outage = await prepareDatabaseOutage(test);
    // A short busy_timeout keeps the SQLite case quick; the behaviour is the same with the default.
    const app = await openDatabase({ url: outage.url, sqliteBusyTimeoutMs: 50, poolSize: 2 });
    const repos = createRepositories(app);
    const newOrg = () => repos.orgs.create({ id: newId('org'), name: 'o', createdAt: new Date().toISOString() });
    try {
      await newOrg();
      await outage.begin();
      const failure = await newOrg().catch((error: unknown) => error);
      expect(isAppError(failure) && [failure.code, failure.retryable, failure.details]).toEqual([
        'storage_unavailable',
        true,
        { retryAfterSeconds: 5 },
      ]);
      expect((failure as Error).message).not.toMatch(/127\.0\.0\.1|SQLITE|ECONN/);
      if (dialect === 'postgres') expect(await app.ping().catch((error: { code?: unknown }) => error.code)).toBe('storage_unavailable');
      await outage.end();

      await expect(newOrg()).resolves.toBeDefined();
      // A wrong statement is a bug, not an outage: its own error, unchanged.
      const wrong = await sql`select * from no_such_table`.execute(app.db).catch((error: unknown) => error);
      expect(isAppError(wrong)).toBe(false);
      const duplicate = await repos.orgs
        .create({ id: 'org_dup', name: 'a', createdAt: '2026-01-01T00:00:00.000Z' })
        .then(() =>
          repos.orgs.create({ id: 'org_dup', name: 'b', createdAt: '2026-01-01T00:00:00.000Z' }).catch((error: unknown) => error),
        );
      expect(isAppError(duplicate)).toBe(false);
    } finally {
      await outage.close();
      await app.close();
    }
  });

  it('returns counts and sums as numbers on every dialect', async () => {
    const { rows } = await sql<{
      n: unknown;
      total: unknown;
    }>`select count(*) as n, sum(x) as total from (select 2 as x union all select 40) t`.execute(test.database.db);
    expect(rows[0]).toEqual({ n: 2, total: 42 });
  });
});

describe('openDatabase on a sqlite file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'navplane-open-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('creates missing directories and applies the pragmas', async () => {
    const file = join(dir, 'nested', 'deeper', 'navplane.db');
    const database = await openDatabase({ url: `sqlite:${file}`, poolSize: 1, sqliteBusyTimeoutMs: 1234 });
    try {
      expect((await stat(file)).isFile()).toBe(true);
      const pragma = async (name: string): Promise<unknown> => {
        const [row] = (await sql.raw<Record<string, unknown>>(`pragma ${name}`).execute(database.db)).rows;
        return row === undefined ? undefined : Object.values(row)[0];
      };
      expect(await pragma('journal_mode')).toBe('wal');
      expect(await pragma('busy_timeout')).toBe(1234);
      expect(await pragma('foreign_keys')).toBe(1);
      expect(await pragma('synchronous')).toBe(1); // NORMAL
    } finally {
      await database.close();
    }
  });

  it('opens an in-memory database', async () => {
    const database = await openDatabase({ url: 'sqlite::memory:', poolSize: 1 });
    await expect(database.ping()).resolves.toBeUndefined();
    await database.close();
  });

  it('rejects an unsupported URL at start-up with one line that does not echo it', async () => {
    const failure = await openDatabase({ url: 'mysql://root:hunter2@db/np', poolSize: 1 }).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(failure?.message).toBe(
      'Database URL must be sqlite:<path> (e.g. sqlite:./data/navplane.db) or a postgres:// or postgresql:// URL',
    );
  });
});
