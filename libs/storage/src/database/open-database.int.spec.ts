import { expect } from '@jest/globals';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '../testing';
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
