import { expect } from '@jest/globals';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../testing';

// SQLite connections reuse the statement prepared for a SQL text (StatementCachingDatabase). These pin down
// what reuse must never change: results, schema changes, a streamed query next to a plain one, errors.
describe('the SQLite statement cache', () => {
  let test: TestDatabase;

  beforeAll(async () => {
    test = await createTestDatabase('sqlite');
    await sql`create table cache_probe (id integer primary key, label text not null)`.execute(test.database.db);
  });
  afterAll(() => test.drop());

  const insert = (id: number, label: string) => sql`insert into cache_probe (id, label) values (${id}, ${label})`.execute(test.database.db);
  const all = async () => (await sql<Record<string, unknown>>`select * from cache_probe order by id`.execute(test.database.db)).rows;

  it('runs the same text again with new parameters and sees every write', async () => {
    for (let id = 1; id <= 5; id += 1) await insert(id, `row ${id}`);
    expect((await all()).map((row) => row['label'])).toEqual(['row 1', 'row 2', 'row 3', 'row 4', 'row 5']);
    await insert(6, 'row 6');
    expect(await all()).toHaveLength(6);
  });

  it('follows a schema change made after the statement was prepared', async () => {
    await all();
    await sql`alter table cache_probe add column extra text`.execute(test.database.db);
    const rows = await all();
    expect(rows[0]).toEqual({ id: 1, label: 'row 1', extra: null });
  });

  it('serves a streamed query and the same text run plainly after it', async () => {
    const query = test.database.db.selectFrom('cache_probe' as never).selectAll();
    const streamed: unknown[] = [];
    for await (const row of query.stream()) streamed.push(row);
    expect(streamed).toHaveLength(6);
    expect(await query.execute()).toHaveLength(6);
  });

  it('keeps working after a statement failed', async () => {
    await expect(insert(1, 'duplicate')).rejects.toThrow(/UNIQUE/);
    await insert(7, 'row 7');
    expect(await all()).toHaveLength(7);
  });
});
