import { newId } from '@navplane/core';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '../testing';
import { createRepositories, type Repositories } from './create-repositories';
import { at, seedOrg } from './seed.fixture';

describe.each(TEST_DIALECTS)('createRepositories on %s', (dialect) => {
  let test: TestDatabase;
  let repos: Repositories;

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    repos = createRepositories(test.database);
  });
  afterAll(() => test.drop());

  it('commits a mutation and its audit record together', async () => {
    const org = await seedOrg(repos);
    const auditId = newId('audit');
    await repos.transaction(async (trx) => {
      await trx.orgs.setEnabled(org.id, false, at(1));
      await trx.auditLog.append({ id: auditId, at: at(1), actorType: 'cli', action: 'org.disable', orgId: org.id });
    });
    expect((await repos.orgs.findById(org.id))?.enabled).toBe(false);
    expect((await repos.auditLog.list({ orgId: org.id })).map((e) => e.id)).toEqual([auditId]);
  });

  it('rolls everything back when the work fails, nested policy replacement included', async () => {
    const org = await seedOrg(repos);
    await expect(
      repos.transaction(async (trx) => {
        await trx.orgs.setEnabled(org.id, false, at(1));
        await trx.policies.replaceForOrg(
          org.id,
          [{ id: newId('policy'), scopeType: 'org', scopeValue: null, mode: 'block', config: {} }],
          at(1),
        );
        await trx.transaction(async (same) => same.auditLog.append({ id: newId('audit'), at: at(1), actorType: 'cli', action: 'x' }));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await repos.orgs.findById(org.id))?.enabled).toBe(true);
    expect(await repos.policies.listByOrg(org.id)).toEqual([]);
    expect(await repos.auditLog.list({ orgId: org.id })).toEqual([]);
  });
});
