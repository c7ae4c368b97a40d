import { newId } from '@navplane/core';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '../testing';
import { createRepositories, type Repositories } from './create-repositories';
import { at, seedOrg } from './seed.fixture';

describe.each(TEST_DIALECTS)('OrgsRepository on %s', (dialect) => {
  let test: TestDatabase;
  let repos: Repositories;

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    repos = createRepositories(test.database);
  });
  afterAll(() => test.drop());

  it('creates an enabled org by default and finds it by id', async () => {
    const id = newId('org');
    const created = await repos.orgs.create({ id, name: 'Acme', createdAt: at() });
    expect(created).toEqual({ id, name: 'Acme', enabled: true, createdAt: at(), updatedAt: at() });
    expect(await repos.orgs.findById(id)).toEqual(created);
    expect(await repos.orgs.findById(newId('org'))).toBeUndefined();
  });

  it('flips the kill switch and reports enabled states as booleans', async () => {
    const org = await seedOrg(repos, 'Switchable');
    const disabled = await repos.orgs.setEnabled(org.id, false, at(1000));
    expect(disabled).toMatchObject({ id: org.id, enabled: false, updatedAt: at(1000) });
    const states = await repos.orgs.listEnabledStates();
    expect(states).toContainEqual({ id: org.id, enabled: false });
    expect(states.every((state) => typeof state.enabled === 'boolean')).toBe(true);
    expect(await repos.orgs.setEnabled(org.id, true, at(2000))).toMatchObject({ enabled: true });
    expect(await repos.orgs.setEnabled(newId('org'), false, at())).toBeUndefined();
  });

  it('lists orgs oldest first', async () => {
    const later = await seedOrg(repos, 'Later', at(60_000));
    const earlier = await seedOrg(repos, 'Earlier', at(-60_000));
    const ids = (await repos.orgs.list()).map((org) => org.id);
    expect(ids.indexOf(earlier.id)).toBeLessThan(ids.indexOf(later.id));
    expect(ids[0]).toBe(earlier.id);
  });

  it('can create an org disabled', async () => {
    const org = await repos.orgs.create({ id: newId('org'), name: 'Off', enabled: false, createdAt: at() });
    expect((await repos.orgs.findById(org.id))?.enabled).toBe(false);
  });
});
