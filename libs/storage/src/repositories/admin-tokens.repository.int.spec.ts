import { newId } from '@navplane/core';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '../testing';
import { createRepositories, type Repositories } from './create-repositories';
import { at } from './seed.fixture';

describe.each(TEST_DIALECTS)('AdminTokensRepository on %s', (dialect) => {
  let test: TestDatabase;
  let repos: Repositories;

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    repos = createRepositories(test.database);
  });
  afterAll(() => test.drop());

  it('inserts, lists active tokens, revokes and records use', async () => {
    const first = { id: newId('adminToken'), name: 'ops', tokenHash: '$argon2id$v=19$a', displayPrefix: 'npa_1', createdAt: at(1) };
    const second = { ...first, id: newId('adminToken'), name: 'ci', tokenHash: '$argon2id$v=19$b', createdAt: at(2) };
    const summary = await repos.adminTokens.insert(first);
    expect(summary).toEqual({ id: first.id, name: 'ops', displayPrefix: 'npa_1', createdAt: at(1), revokedAt: null, lastUsedAt: null });
    await repos.adminTokens.insert(second);
    expect((await repos.adminTokens.listActive()).map((token) => token.tokenHash)).toEqual([first.tokenHash, second.tokenHash]);

    await repos.adminTokens.touchLastUsed(first.id, at(100));
    await repos.adminTokens.touchLastUsed(first.id, at(50));
    expect((await repos.adminTokens.findById(first.id))?.lastUsedAt).toBe(at(100));

    expect(await repos.adminTokens.revoke(first.id, at(200))).toBe(true);
    expect(await repos.adminTokens.revoke(first.id, at(300))).toBe(false);
    expect((await repos.adminTokens.listActive()).map((token) => token.id)).toEqual([second.id]);
    expect((await repos.adminTokens.findById(first.id))?.revokedAt).toBe(at(200));
  });
});
