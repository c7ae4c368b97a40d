import { expect } from '@jest/globals';
import type { JsonObject } from '../schema/json';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '../testing';
import { createRepositories, type Repositories } from './create-repositories';
import { at, seedOrg } from './seed.fixture';

describe.each(TEST_DIALECTS)('LimitsRepository on %s', (dialect) => {
  let test: TestDatabase;
  let repos: Repositories;

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    repos = createRepositories(test.database);
  });
  afterAll(() => test.drop());

  const doc: JsonObject = {
    limits: [
      { scope: { type: 'org' }, rpm: 1000 },
      {
        scope: { type: 'key', id: 'key_01jexample0000000000000000' },
        tpm: 200000,
        budget: { usd: 50, period: 'month' },
        alerts: { thresholds: [0.5, 0.8, 1], webhookUrl: 'https://hooks.example.com/navplane' },
      },
    ],
  };

  it('has no document for an org that never had one', async () => {
    const org = await seedOrg(repos);
    expect(await repos.limits.findByOrg(org.id)).toBeUndefined();
    expect(await repos.limits.findByOrg('org_missing')).toBeUndefined();
  });

  it('stores one document per org and replaces it whole, JSON round-tripped exactly', async () => {
    const org = await seedOrg(repos);
    expect(await repos.limits.put(org.id, doc, at(1))).toEqual({ orgId: org.id, document: doc, updatedAt: at(1) });
    expect(await repos.limits.findByOrg(org.id)).toEqual({ orgId: org.id, document: doc, updatedAt: at(1) });

    const replaced: JsonObject = { limits: [{ scope: { type: 'workspace', id: 'ws_01jexample0000000000000000' }, concurrency: 4 }] };
    expect(await repos.limits.put(org.id, replaced, at(2))).toEqual({ orgId: org.id, document: replaced, updatedAt: at(2) });
    expect(await repos.limits.findByOrg(org.id)).toEqual({ orgId: org.id, document: replaced, updatedAt: at(2) });

    await repos.limits.put(org.id, { limits: [] }, at(3));
    expect(await repos.limits.findByOrg(org.id)).toEqual({ orgId: org.id, document: { limits: [] }, updatedAt: at(3) });
  });

  it('lists every org’s document ordered by org, and keeps orgs apart', async () => {
    const [a, b] = [await seedOrg(repos, 'A'), await seedOrg(repos, 'B')];
    await repos.limits.put(b.id, { limits: [] }, at(1));
    await repos.limits.put(a.id, doc, at(2));
    const all = await repos.limits.listAll();
    const mine = all.filter((row) => row.orgId === a.id || row.orgId === b.id);
    expect(mine).toEqual(
      [
        { orgId: a.id, document: doc, updatedAt: at(2) },
        { orgId: b.id, document: { limits: [] }, updatedAt: at(1) },
      ].sort((x, y) => (x.orgId < y.orgId ? -1 : 1)),
    );
    expect(all.map((row) => row.orgId)).toEqual([...all.map((row) => row.orgId)].sort());
  });

  it('refuses a document for an org that does not exist (foreign key), and writes inside a caller’s transaction', async () => {
    await expect(repos.limits.put('org_missing', doc, at(1))).rejects.toThrow();
    const org = await seedOrg(repos);
    await expect(
      repos.transaction(async (trx) => {
        await trx.limits.put(org.id, doc, at(1));
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await repos.limits.findByOrg(org.id)).toBeUndefined();
  });
});
