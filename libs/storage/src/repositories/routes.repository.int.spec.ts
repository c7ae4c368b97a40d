import { expect } from '@jest/globals';
import type { JsonObject } from '../schema/json';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '../testing';
import { createRepositories, type Repositories } from './create-repositories';
import { at, seedOrg } from './seed.fixture';

describe.each(TEST_DIALECTS)('RoutesRepository on %s', (dialect) => {
  let test: TestDatabase;
  let repos: Repositories;

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    repos = createRepositories(test.database);
  });
  afterAll(() => test.drop());

  // Storage keeps the document as opaque JSON and sits below @navplane/testing (which depends on it), so this spec
  // writes its own copy of the shared `smart` sample route (libs/testing/src/route-documents.ts) instead of importing it.
  const smart: JsonObject = {
    routes: [
      {
        model: 'smart',
        strategy: 'fallback',
        targets: [
          { provider: 'openai', model: 'gpt-4.1', key: 'default' },
          { provider: 'azure-openai', model: 'gpt-4.1', key: 'eu', weight: 1.5 },
        ],
        retry: { attempts: 2, on: ['connect', '5xx'] },
      },
    ],
  };

  it('has no document for an org that never had one', async () => {
    const org = await seedOrg(repos);
    expect(await repos.routes.findByOrg(org.id)).toBeUndefined();
    expect(await repos.routes.findByOrg('org_missing')).toBeUndefined();
  });

  it('stores one document per org and replaces it whole, JSON round-tripped exactly', async () => {
    const org = await seedOrg(repos);
    expect(await repos.routes.put(org.id, smart, at(1))).toEqual({ orgId: org.id, document: smart, updatedAt: at(1) });
    expect(await repos.routes.findByOrg(org.id)).toEqual({ orgId: org.id, document: smart, updatedAt: at(1) });

    const replaced: JsonObject = {
      routes: [{ model: 'cheap', strategy: 'loadbalance', targets: [{ provider: 'openai', model: 'gpt-4.1-mini', key: 'default' }] }],
    };
    expect(await repos.routes.put(org.id, replaced, at(2))).toEqual({ orgId: org.id, document: replaced, updatedAt: at(2) });
    expect(await repos.routes.findByOrg(org.id)).toEqual({ orgId: org.id, document: replaced, updatedAt: at(2) });

    await repos.routes.put(org.id, { routes: [] }, at(3));
    expect(await repos.routes.findByOrg(org.id)).toEqual({ orgId: org.id, document: { routes: [] }, updatedAt: at(3) });
  });

  it('lists every org’s document ordered by org, and keeps orgs apart', async () => {
    const [a, b] = [await seedOrg(repos, 'A'), await seedOrg(repos, 'B')];
    await repos.routes.put(b.id, { routes: [] }, at(1));
    await repos.routes.put(a.id, smart, at(2));
    const all = await repos.routes.listAll();
    const mine = all.filter((row) => row.orgId === a.id || row.orgId === b.id);
    expect(mine).toEqual(
      [
        { orgId: a.id, document: smart, updatedAt: at(2) },
        { orgId: b.id, document: { routes: [] }, updatedAt: at(1) },
      ].sort((x, y) => (x.orgId < y.orgId ? -1 : 1)),
    );
    expect(all.map((row) => row.orgId)).toEqual([...all.map((row) => row.orgId)].sort());
  });

  it('refuses a document for an org that does not exist (foreign key), and writes inside a caller’s transaction', async () => {
    await expect(repos.routes.put('org_missing', smart, at(1))).rejects.toThrow();
    const org = await seedOrg(repos);
    await expect(
      repos.transaction(async (trx) => {
        await trx.routes.put(org.id, smart, at(1));
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await repos.routes.findByOrg(org.id)).toBeUndefined();
  });
});
