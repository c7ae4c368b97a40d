import { expect } from '@jest/globals';
import { newId } from '@navplane/core';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '../testing';
import { createRepositories, type Repositories } from './create-repositories';
import { at, seedOrg } from './seed.fixture';
import type { TraceFork } from './trace-forks.repository';

describe.each(TEST_DIALECTS)('TraceForksRepository on %s', (dialect) => {
  let test: TestDatabase;
  let repos: Repositories;

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    repos = createRepositories(test.database);
  });
  afterAll(() => test.drop());

  const fork = (orgId: string, sourceTraceId: string, offsetMs: number): TraceFork => ({
    id: `frk_${newId('trace').slice(4)}`,
    orgId,
    sourceTraceId,
    newRunId: `run_${newId('trace').slice(4)}`,
    createdAt: at(offsetMs),
    createdBy: 'admin_token:adm_test',
  });

  it('stores forks, finds them by run within the org only, lists a checkpoint’s forks oldest first', async () => {
    const org = await seedOrg(repos);
    const other = await seedOrg(repos, 'Other');
    const source = newId('trace');
    const second = fork(org.id, source, 2000);
    const first = fork(org.id, source, 1000);
    await repos.traceForks.insert(second);
    await repos.traceForks.insert(first);
    await repos.traceForks.insert(fork(org.id, newId('trace'), 0));

    expect(await repos.traceForks.findByRunId(org.id, first.newRunId)).toEqual(first);
    expect(await repos.traceForks.findByRunId(other.id, first.newRunId)).toBeUndefined();
    expect(await repos.traceForks.listBySourceTrace(org.id, source)).toEqual([first, second]);
    expect(await repos.traceForks.listBySourceTrace(other.id, source)).toEqual([]);
  });

  it('refuses a second fork with the same run id', async () => {
    const org = await seedOrg(repos);
    const one = fork(org.id, newId('trace'), 0);
    await repos.traceForks.insert(one);
    await expect(repos.traceForks.insert({ ...fork(org.id, newId('trace'), 0), newRunId: one.newRunId })).rejects.toMatchObject({
      message: expect.stringMatching(/unique|duplicate/i),
    });
  });

  it('deletes forks older than a cutoff in batches', async () => {
    const org = await seedOrg(repos);
    const old = Array.from({ length: 7 }, (_, i) => fork(org.id, newId('trace'), -30 * 24 * 3600_000 + i));
    for (const f of old) await repos.traceForks.insert(f);
    const kept = fork(org.id, newId('trace'), 0);
    await repos.traceForks.insert(kept);
    expect(await repos.traceForks.deleteOlderThan(at(-24 * 3600_000), 3)).toBe(7);
    expect(await repos.traceForks.findByRunId(org.id, old[0]!.newRunId)).toBeUndefined();
    expect(await repos.traceForks.findByRunId(org.id, kept.newRunId)).toEqual(kept);
  });
});
