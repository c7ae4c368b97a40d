import { expect } from '@jest/globals';
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

  it('shares one read between concurrent loads of an org it does not hold', async () => {
    const counting = countingRepositories(repos);
    const cache = createOrgStateCache({ repos: counting.repos, changeFeed: feed });
    const org = await seedOrg(repos, 'Cold');
    expect(await Promise.all([cache.load(org.id), cache.load(org.id), cache.load(org.id)])).toEqual([true, true, true]);
    expect(counting.calls).toEqual(['orgs.findById']);
    expect(cache.isEnabled(org.id)).toBe(true);
    await cache.close();
  });

  it('forgets an org at once on org.changed (callers share the re-read), and never lets an older read win', async () => {
    const org = await seedOrg(repos, 'Racing');
    const gates: Array<() => void> = [];
    const gatedRepos: Pick<Repositories, 'orgs'> = {
      orgs: {
        ...repos.orgs,
        async findById(id) {
          const found = await repos.orgs.findById(id);
          await new Promise<void>((resolve) => gates.push(resolve));
          return found;
        },
      },
    };
    const cache = createOrgStateCache({ repos: gatedRepos, changeFeed: feed });
    await cache.start();
    await feed.publish(CHANGE_TOPICS.orgChanged, { orgId: org.id }); // reads "enabled" …
    await waitFor(() => gates.length === 1);
    expect(cache.isEnabled(org.id)).toBeUndefined(); // told it changed: not served from memory any more
    await repos.orgs.setEnabled(org.id, false, toIso(Date.now()));
    await feed.publish(CHANGE_TOPICS.orgChanged, { orgId: org.id }); // … then the switch-off
    await waitFor(() => gates.length === 2);
    const asked = cache.load(org.id); // a request meanwhile shares the newest read
    gates[1]?.();
    expect(await asked).toBe(false);
    expect(gates).toHaveLength(2);
    gates[0]?.(); // the older read, answering "enabled", lands last
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(cache.isEnabled(org.id)).toBe(false);
    await cache.close();
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
