import { expect } from '@jest/globals';
import { toIso } from '@navplane/core';
import { CHANGE_FEED_RESYNC_TOPIC, CHANGE_TOPICS, type ChangeFeed, type JsonObject, type Repositories } from '@navplane/storage';
import { countedReads, openTwoProcesses, TEST_DIALECTS, waitFor, type TwoProcesses } from '@navplane/storage/testing';
import { limitsFor } from './limit-document';
import { createLimitStore, EMPTY_LIMIT_DOCUMENT } from './limit-store';

// A one-entry document (an org-wide rpm), as stored.
const table = (rpm: number, tpm?: number): JsonObject => ({
  limits: [{ scope: { type: 'org' }, rpm, ...(tpm === undefined ? {} : { tpm }) }],
});

describe.each(TEST_DIALECTS)('limit store on %s', (dialect) => {
  // This process and another one (another gateway, or the admin API) on the same database.
  let env: TwoProcesses;
  beforeAll(async () => {
    env = await openTwoProcesses(dialect);
  });
  afterAll(() => env.close());

  const storeOn = (options: { failing?: { on: boolean }; on?: Repositories; changeFeed?: ChangeFeed } = {}) => {
    const onError = jest.fn();
    const wrapped = countedReads((options.on ?? env.repos).limits, ['listAll', 'findByOrg'], options.failing ?? { on: false });
    const store = env.own(createLimitStore({ limits: wrapped.repo, changeFeed: options.changeFeed ?? env.feed, onError }));
    return { store, calls: wrapped.calls, onError };
  };

  it('loads every org’s document at start; a warm get or peek makes no query', async () => {
    const org = await env.seedOrg();
    const empty = await env.seedOrg('Empty');
    await env.repos.limits.put(org.id, table(100), toIso(Date.now()));
    const { store, calls } = storeOn();
    expect(store.peek(org.id)).toBeUndefined(); // not loaded yet: unknown
    await store.start();
    const loaded = store.peek(org.id);
    expect(loaded).toEqual(table(100));
    expect(Object.isFrozen(loaded?.limits[0]?.scope)).toBe(true);
    expect(store.peek(empty.id)).toBe(EMPTY_LIMIT_DOCUMENT);
    for (let i = 0; i < 100; i += 1) {
      expect(await store.get(org.id)).toBe(loaded);
      expect(store.peek(org.id)).toBe(loaded);
      expect(await store.get(empty.id)).toEqual({ limits: [] });
    }
    expect(calls).toEqual(['listAll']);
    expect(loaded && limitsFor(loaded, { orgId: org.id, workspaceId: null, keyId: 'key_01jexample0000000000000000' })).toEqual([
      { scopeKey: 'org', entry: { scope: { type: 'org' }, rpm: 100 } },
    ]);
  });

  it('without start, reads an org once on the first get and then answers from memory', async () => {
    const org = await env.seedOrg();
    await env.repos.limits.put(org.id, table(7), toIso(Date.now()));
    const { store, calls } = storeOn();
    const [first, second] = await Promise.all([store.get(org.id), store.get(org.id)]);
    expect(first.limits[0]?.rpm).toBe(7);
    expect(second).toBe(first);
    for (let i = 0; i < 50; i += 1) await store.get(org.id);
    expect(calls).toEqual(['findByOrg']);
    expect(await store.get('org_without_limits')).toEqual({ limits: [] });
    expect(calls).toEqual(['findByOrg', 'findByOrg']);
  });

  it('two stores on separate connections and feeds see a change published by either within 1 s', async () => {
    const org = await env.seedOrg();
    const a = storeOn();
    const b = storeOn({ on: env.otherRepos, changeFeed: env.otherFeed });
    await Promise.all([a.store.start(), b.store.start()]);
    expect([a.store.peek(org.id), b.store.peek(org.id)]).toEqual([{ limits: [] }, { limits: [] }]);

    // Instance A's admin call writes and announces; instance B, on its own connection, follows.
    await env.repos.limits.put(org.id, table(100), toIso(Date.now()));
    await env.feed.publish(CHANGE_TOPICS.limitsChanged, { orgId: org.id });
    const tookB = await waitFor(() => b.store.peek(org.id)?.limits[0]?.rpm === 100);
    expect(tookB).toBeLessThan(1000);
    expect(a.store.peek(org.id)?.limits[0]?.rpm === 100 || (await a.store.get(org.id)).limits[0]?.rpm === 100).toBe(true);

    // And the other way round.
    await env.otherRepos.limits.put(org.id, table(100, 5000), toIso(Date.now()));
    await env.otherFeed.publish(CHANGE_TOPICS.limitsChanged, { orgId: org.id });
    const tookA = await waitFor(() => a.store.peek(org.id)?.limits[0]?.tpm === 5000);
    expect(tookA).toBeLessThan(1000);
    expect((await b.store.get(org.id)).limits[0]?.tpm).toBe(5000);
    // Each change cost each store one read of that org, nothing more.
    expect(b.calls.filter((call) => call === 'findByOrg').length).toBeLessThanOrEqual(2);
  });

  it('forgets an org whose re-read failed (get reads again), and recovers once the database is back', async () => {
    const org = await env.seedOrg();
    await env.repos.limits.put(org.id, table(100), toIso(Date.now()));
    const failing = { on: false };
    const { store, onError } = storeOn({ failing });
    await store.start();
    failing.on = true;
    await env.feed.publish(CHANGE_TOPICS.limitsChanged, { orgId: org.id });
    await waitFor(() => store.peek(org.id) === undefined && onError.mock.calls.length > 0);
    await expect(store.get(org.id)).rejects.toThrow('database is down');
    failing.on = false;
    expect((await store.get(org.id)).limits[0]?.rpm).toBe(100);
    expect(store.peek(org.id)?.limits[0]?.rpm).toBe(100);
  });

  it('reloads everything on a resync', async () => {
    const org = await env.seedOrg();
    const { store, calls } = storeOn();
    await store.start();
    await env.repos.limits.put(org.id, table(9), toIso(Date.now()));
    await env.feed.publish(CHANGE_FEED_RESYNC_TOPIC, {});
    await waitFor(() => store.peek(org.id)?.limits[0]?.rpm === 9);
    expect(calls.filter((call) => call === 'listAll')).toHaveLength(2);
  });

  it('refuses to serve a stored row the schema no longer accepts (a hand-edited row), naming the problem', async () => {
    const org = await env.seedOrg();
    await env.repos.limits.put(org.id, { limits: [{ scope: { type: 'org' }, rpm: -1 }] }, toIso(Date.now()));
    const { store } = storeOn();
    await expect(store.get(org.id)).rejects.toThrow('limits[0].rpm');
  });
});
