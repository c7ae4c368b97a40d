import { newId } from '@navplane/core';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '../testing';
import { createRepositories, type Repositories } from './create-repositories';
import { at, seedOrg } from './seed.fixture';

describe.each(TEST_DIALECTS)('AuditLogRepository on %s', (dialect) => {
  let test: TestDatabase;
  let repos: Repositories;

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    repos = createRepositories(test.database);
  });
  afterAll(() => test.drop());

  it('appends entries and lists them newest first, by org or all, with a cursor', async () => {
    const org = await seedOrg(repos);
    const other = await seedOrg(repos, 'Other');
    const entry = (orgId: string | null, offsetMs: number, action: string) => ({
      id: newId('audit', Date.UTC(2026, 10, 23, 10) + offsetMs),
      at: at(offsetMs),
      actorType: 'admin_token',
      actorId: newId('adminToken'),
      orgId,
      action,
      targetType: 'org',
      targetId: orgId,
      ip: '127.0.0.1',
      details: { enabled: false, reason: 'incident' },
    });
    const first = entry(org.id, 1, 'org.disable');
    const second = entry(org.id, 2, 'org.enable');
    const foreign = entry(other.id, 3, 'key.create');
    const platform = { id: newId('audit', Date.UTC(2026, 10, 23, 10) + 4), at: at(4), actorType: 'cli', action: 'admin_token.create' };
    for (const e of [first, second, foreign, platform]) await repos.auditLog.append(e);

    expect(await repos.auditLog.list({ orgId: org.id })).toEqual([second, first]);
    expect(await repos.auditLog.list({ orgId: org.id, limit: 1 })).toEqual([second]);
    expect(await repos.auditLog.list({ orgId: org.id, before: second.id })).toEqual([first]);
    expect(await repos.auditLog.list({ orgId: org.id, before: foreign.id })).toEqual([]);

    const all = await repos.auditLog.list();
    expect(all.slice(0, 4).map((e) => e.id)).toEqual([platform.id, foreign.id, second.id, first.id]);
    expect(all[0]).toEqual({
      ...platform,
      actorId: null,
      orgId: null,
      targetType: null,
      targetId: null,
      ip: null,
      details: null,
    });
  });
});
