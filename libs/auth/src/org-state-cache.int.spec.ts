import { toIso } from '@navplane/core';
import {
  CHANGE_FEED_RESYNC_TOPIC,
  CHANGE_TOPICS,
  createChangeFeed,
  createRepositories,
  type ChangeFeed,
  type Repositories,
} from '@navplane/storage';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '@navplane/storage/testing';
import { countingRepositories, seedOrg, waitFor } from './auth-test.fixture';
import { createOrgStateCache } from './org-state-cache';

describe.each(TEST_DIALECTS)('org state cache on %s', (dialect) => {
  let test: TestDatabase;
  let repos: Repositories;
  let feed: ChangeFeed;

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    repos = createRepositories(test.database);
    feed = createChangeFeed(test.database, { pollIntervalMs: 50 });
  });
  afterAll(async () => {
    await feed.close();
    await test.drop();
  });

  it('loads every org at start and answers from memory, synchronously', async () => {
    const on = await seedOrg(repos, 'On');
    const off = await seedOrg(repos, 'Off');
    await repos.orgs.setEnabled(off.id, false, toIso(Date.now()));
    const counting = countingRepositories(repos);
    const cache = createOrgStateCache({ repos: counting.repos, changeFeed: feed });
    await cache.start();
    expect(counting.calls).toEqual(['orgs.listEnabledStates']);
    expect(cache.isEnabled(on.id)).toBe(true);
    expect(cache.isEnabled(off.id)).toBe(false);
    expect(cache.isEnabled('org_unknown')).toBeUndefined();
    expect(counting.calls).toHaveLength(1);
    await cache.close();
  });

  it('re-reads an org on org.changed, reloads all on resync, and reads missing orgs as disabled', async () => {
    const org = await seedOrg(repos);
    const cache = createOrgStateCache({ repos, changeFeed: feed });
    await cache.start();
    await repos.orgs.setEnabled(org.id, false, toIso(Date.now()));
    expect(cache.isEnabled(org.id)).toBe(true); // not told yet
    await feed.publish(CHANGE_TOPICS.orgChanged, { orgId: org.id });
    await waitFor(() => cache.isEnabled(org.id) === false);

    const created = await seedOrg(repos, 'Created');
    await feed.publish(CHANGE_FEED_RESYNC_TOPIC, { reason: 'gap' });
    await waitFor(() => cache.isEnabled(created.id) === true);

    expect(await cache.load('org_missing')).toBe(false);
    expect(cache.isEnabled('org_missing')).toBe(false);
    await cache.close();

    // Closed: no longer follows the feed.
    await repos.orgs.setEnabled(org.id, true, toIso(Date.now()));
    await feed.publish(CHANGE_TOPICS.orgChanged, { orgId: org.id });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(cache.isEnabled(org.id)).toBe(false);
  });

  it('forgets an org it was told changed but cannot re-read (fail closed), and start() rejects without a database', async () => {
    const own = await createTestDatabase(dialect);
    const ownRepos = createRepositories(own.database);
    const ownFeed = createChangeFeed(own.database, { pollIntervalMs: 50 });
    const errors: Error[] = [];
    const cache = createOrgStateCache({ repos: ownRepos, changeFeed: ownFeed, onError: (error) => errors.push(error) });
    try {
      const org = await seedOrg(ownRepos);
      await cache.start();
      expect(cache.isEnabled(org.id)).toBe(true);
      await own.database.close();
      await ownFeed.publish(CHANGE_TOPICS.orgChanged, { orgId: org.id }).catch(() => undefined);
      await waitFor(() => cache.isEnabled(org.id) === undefined);
      expect(errors.length).toBeGreaterThan(0);
      await expect(cache.load(org.id)).rejects.toMatchObject({ message: expect.any(String) });
      const fresh = createOrgStateCache({ repos: ownRepos, changeFeed: ownFeed, onError: () => undefined });
      await expect(fresh.start()).rejects.toMatchObject({ message: expect.any(String) });
      await fresh.close();
    } finally {
      await cache.close();
      await ownFeed.close();
      await own.drop();
    }
  });
});
