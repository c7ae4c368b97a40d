import { expect } from '@jest/globals';
import { toIso } from '@navplane/core';
import { CHANGE_FEED_RESYNC_TOPIC, CHANGE_TOPICS, type ChangeFeed, type JsonObject, type Repositories } from '@navplane/storage';
import { countedReads, openTwoProcesses, TEST_DIALECTS, waitFor, type TwoProcesses } from '@navplane/storage/testing';
import { singleTargetTable } from '@navplane/testing';
import { findRoute } from './route-document';
import { createRouteStore, EMPTY_ROUTE_DOCUMENT } from './route-store';

// The shared one-route table (@navplane/testing), as stored.
const table = (model: string, targetModel = 'gpt-4.1'): JsonObject => singleTargetTable(model, targetModel).stored;

describe.each(TEST_DIALECTS)('route store on %s', (dialect) => {
  // This process and another one (another gateway, or the admin API) on the same database.
  let env: TwoProcesses;
  beforeAll(async () => {
    env = await openTwoProcesses(dialect);
  });
  afterAll(() => env.close());

  const storeOn = (options: { failing?: { on: boolean }; on?: Repositories; changeFeed?: ChangeFeed } = {}) => {
    const onError = jest.fn();
    const wrapped = countedReads((options.on ?? env.repos).routes, ['listAll', 'findByOrg'], options.failing ?? { on: false });
    const store = env.own(createRouteStore({ routes: wrapped.repo, changeFeed: options.changeFeed ?? env.feed, onError }));
    return { store, calls: wrapped.calls, onError };
  };

  it('loads every org’s table at start; a warm get or peek makes no query', async () => {
    const org = await env.seedOrg();
    const empty = await env.seedOrg('Empty');
    await env.repos.routes.put(org.id, table('smart'), toIso(Date.now()));
    const { store, calls } = storeOn();
    expect(store.peek(org.id)).toBeUndefined(); // not loaded yet: unknown
    await store.start();
    const loaded = store.peek(org.id);
    expect(loaded).toEqual(table('smart'));
    expect(Object.isFrozen(loaded?.routes[0]?.targets[0])).toBe(true);
    expect(store.peek(empty.id)).toBe(EMPTY_ROUTE_DOCUMENT);
    for (let i = 0; i < 100; i += 1) {
      expect(await store.get(org.id)).toBe(loaded);
      expect(store.peek(org.id)).toBe(loaded);
      expect(await store.get(empty.id)).toEqual({ routes: [] });
    }
    expect(calls).toEqual(['listAll']);
    expect(loaded && findRoute(loaded, 'smart')?.targets[0]?.model).toBe('gpt-4.1');
    expect(loaded && findRoute(loaded, 'gpt-4.1')).toBeUndefined();
  });

  it('without start, reads an org once on the first get and then answers from memory', async () => {
    const org = await env.seedOrg();
    await env.repos.routes.put(org.id, table('fast'), toIso(Date.now()));
    const { store, calls } = storeOn();
    const [first, second] = await Promise.all([store.get(org.id), store.get(org.id)]);
    expect(first.routes[0]?.model).toBe('fast');
    expect(second).toBe(first);
    for (let i = 0; i < 50; i += 1) await store.get(org.id);
    expect(calls).toEqual(['findByOrg']);
    expect(await store.get('org_without_table')).toEqual({ routes: [] });
    expect(calls).toEqual(['findByOrg', 'findByOrg']);
  });

  it('two stores on separate connections and feeds see a change published by either within 1 s', async () => {
    const org = await env.seedOrg();
    const a = storeOn();
    const b = storeOn({ on: env.otherRepos, changeFeed: env.otherFeed });
    await Promise.all([a.store.start(), b.store.start()]);
    expect([a.store.peek(org.id), b.store.peek(org.id)]).toEqual([{ routes: [] }, { routes: [] }]);

    // Instance A's admin call writes and announces; instance B, on its own connection, follows.
    await env.repos.routes.put(org.id, table('smart', 'gpt-4.1'), toIso(Date.now()));
    await env.feed.publish(CHANGE_TOPICS.routesChanged, { orgId: org.id });
    const tookB = await waitFor(() => b.store.peek(org.id)?.routes[0]?.model === 'smart');
    expect(tookB).toBeLessThan(1000);
    expect(a.store.peek(org.id)?.routes[0]?.model === 'smart' || (await a.store.get(org.id)).routes[0]?.model === 'smart').toBe(true);

    // And the other way round.
    await env.otherRepos.routes.put(org.id, table('smart', 'gpt-4.1-mini'), toIso(Date.now()));
    await env.otherFeed.publish(CHANGE_TOPICS.routesChanged, { orgId: org.id });
    const tookA = await waitFor(() => a.store.peek(org.id)?.routes[0]?.targets[0]?.model === 'gpt-4.1-mini');
    expect(tookA).toBeLessThan(1000);
    expect((await b.store.get(org.id)).routes[0]?.targets[0]?.model).toBe('gpt-4.1-mini');
    // Each change cost each store one read of that org, nothing more.
    expect(b.calls.filter((call) => call === 'findByOrg').length).toBeLessThanOrEqual(2);
  });

  it('forgets an org whose re-read failed (get reads again), and recovers once the database is back', async () => {
    const org = await env.seedOrg();
    await env.repos.routes.put(org.id, table('smart'), toIso(Date.now()));
    const failing = { on: false };
    const { store, onError } = storeOn({ failing });
    await store.start();
    failing.on = true;
    await env.feed.publish(CHANGE_TOPICS.routesChanged, { orgId: org.id });
    await waitFor(() => store.peek(org.id) === undefined && onError.mock.calls.length > 0);
    await expect(store.get(org.id)).rejects.toThrow('database is down');
    failing.on = false;
    expect((await store.get(org.id)).routes[0]?.model).toBe('smart');
    expect(store.peek(org.id)?.routes[0]?.model).toBe('smart');
  });

  it('reloads everything on a resync', async () => {
    const org = await env.seedOrg();
    const { store, calls } = storeOn();
    await store.start();
    await env.repos.routes.put(org.id, table('late'), toIso(Date.now()));
    await env.feed.publish(CHANGE_FEED_RESYNC_TOPIC, {});
    await waitFor(() => store.peek(org.id)?.routes[0]?.model === 'late');
    expect(calls.filter((call) => call === 'listAll')).toHaveLength(2);
  });

  it('refuses to serve a stored row the schema no longer accepts (a hand-edited row), naming the problem', async () => {
    const org = await env.seedOrg();
    await env.repos.routes.put(org.id, { routes: [{ model: 'x', targets: [] }] }, toIso(Date.now()));
    const { store } = storeOn();
    await expect(store.get(org.id)).rejects.toThrow('routes[0].targets');
  });
});
