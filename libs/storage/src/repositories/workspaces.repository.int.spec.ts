import { expect } from '@jest/globals';
import { newId } from '@navplane/core';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '../testing';
import { createRepositories, type Repositories } from './create-repositories';
import { at, seedOrg } from './seed.fixture';

describe.each(TEST_DIALECTS)('WorkspacesRepository on %s', (dialect) => {
  let test: TestDatabase;
  let repos: Repositories;

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    repos = createRepositories(test.database);
  });
  afterAll(() => test.drop());

  it('creates, finds and lists an org’s workspaces oldest first', async () => {
    const org = await seedOrg(repos);
    const other = await seedOrg(repos, 'Other');
    const second = await repos.workspaces.create({ id: newId('workspace'), orgId: org.id, name: 'b', createdAt: at(5) });
    const first = await repos.workspaces.create({ id: newId('workspace'), orgId: org.id, name: 'a', createdAt: at(1) });
    await repos.workspaces.create({ id: newId('workspace'), orgId: other.id, name: 'x', createdAt: at() });
    expect(await repos.workspaces.findById(first.id)).toEqual({ id: first.id, orgId: org.id, name: 'a', createdAt: at(1) });
    expect(await repos.workspaces.listByOrg(org.id)).toEqual([first, second]);
  });

  it('refuses a workspace of an org that does not exist (foreign key)', async () => {
    await expect(
      repos.workspaces.create({ id: newId('workspace'), orgId: newId('org'), name: 'orphan', createdAt: at() }),
    ).rejects.toMatchObject({ message: expect.stringMatching(/foreign key/i) });
  });
});
