import { expect } from '@jest/globals';
import { newId } from '@navplane/core';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '../testing';
import { createRepositories, type Repositories } from './create-repositories';
import type { NewPolicy } from './policies.repository';
import { at, seedOrg } from './seed.fixture';

describe.each(TEST_DIALECTS)('PoliciesRepository on %s', (dialect) => {
  let test: TestDatabase;
  let repos: Repositories;

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    repos = createRepositories(test.database);
  });
  afterAll(() => test.drop());

  const policy = (overrides: Partial<NewPolicy>): NewPolicy => ({
    id: newId('policy'),
    scopeType: 'org',
    scopeValue: null,
    mode: 'redact_storage',
    config: { detectors: ['email', 'phone'], nested: { on: true, n: 1.5 } },
    ...overrides,
  });

  it('replaces an org’s policies as a whole, keeping createdAt of scopes that stay', async () => {
    const org = await seedOrg(repos);
    const orgWide = policy({});
    const byKey = policy({ scopeType: 'key', scopeValue: 'key_1', mode: 'block', config: {} });
    const stored = await repos.policies.replaceForOrg(org.id, [byKey, orgWide], at(1));
    expect(stored).toEqual([
      { ...byKey, orgId: org.id, createdAt: at(1), updatedAt: at(1) },
      { ...orgWide, orgId: org.id, createdAt: at(1), updatedAt: at(1) },
    ]);

    const routeScoped = policy({ scopeType: 'route', scopeValue: '/v1/chat/completions', mode: 'redact_upstream' });
    const replaced = await repos.policies.replaceForOrg(org.id, [policy({ mode: 'off' }), routeScoped], at(2));
    expect(replaced.map((p) => [p.scopeType, p.mode, p.createdAt, p.updatedAt])).toEqual([
      ['org', 'off', at(1), at(2)],
      ['route', 'redact_upstream', at(2), at(2)],
    ]);
    expect(await repos.policies.listByOrg(org.id)).toEqual(replaced);
  });

  it('rolls back the whole replacement when one scope appears twice', async () => {
    const org = await seedOrg(repos);
    const before = await repos.policies.replaceForOrg(org.id, [policy({})], at(1));
    await expect(repos.policies.replaceForOrg(org.id, [policy({ mode: 'block' }), policy({ mode: 'off' })], at(2))).rejects.toMatchObject({
      message: expect.stringMatching(/unique|duplicate key/i),
    });
    await expect(
      repos.policies.replaceForOrg(
        org.id,
        [policy({ scopeType: 'provider', scopeValue: 'openai' }), policy({ scopeType: 'provider', scopeValue: 'openai' })],
        at(2),
      ),
    ).rejects.toMatchObject({ message: expect.stringMatching(/unique|duplicate key/i) });
    expect(await repos.policies.listByOrg(org.id)).toEqual(before);
  });

  it('keeps orgs apart and can clear all policies', async () => {
    const org = await seedOrg(repos);
    const other = await seedOrg(repos, 'Other');
    await repos.policies.replaceForOrg(org.id, [policy({})], at());
    await repos.policies.replaceForOrg(other.id, [policy({})], at());
    expect(await repos.policies.replaceForOrg(org.id, [], at(1))).toEqual([]);
    expect(await repos.policies.listByOrg(other.id)).toHaveLength(1);
  });

  it('lists every org’s policies at once, ordered by org', async () => {
    const org = await seedOrg(repos);
    const other = await seedOrg(repos, 'Other');
    await repos.policies.replaceForOrg(org.id, [policy({})], at());
    await repos.policies.replaceForOrg(other.id, [policy({})], at());
    const all = (await repos.policies.listAll()).filter((row) => row.orgId === org.id || row.orgId === other.id);
    expect(all.map((row) => row.orgId)).toEqual([org.id, other.id].sort());
    expect(all[0]).toEqual((await repos.policies.listByOrg(all[0]!.orgId))[0]);
  });
});
