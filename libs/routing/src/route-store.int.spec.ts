import { expect } from '@jest/globals';
import { newId, toIso } from '@navplane/core';
import {
  CHANGE_FEED_RESYNC_TOPIC,
  CHANGE_TOPICS,
  createChangeFeed,
  createRepositories,
  openDatabase,
  type ChangeFeed,
  type Database,
  type JsonObject,
  type Repositories,
  type RoutesRepository,
} from '@navplane/storage';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '@navplane/storage/testing';
import { singleTargetTable } from '@navplane/testing';
import { findRoute } from './route-document';
import { createRouteStore, EMPTY_ROUTE_DOCUMENT, type RouteStore } from './route-store';

async function waitFor(probe: () => boolean, timeoutMs = 3000): Promise<number> {
  const started = Date.now();
  while (!probe()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - started;
}

/** Real repository calls, counted (nothing is faked). */
function counting(inner: RoutesRepository, failing: { on: boolean }) {
  const calls: string[] = [];
  const repo: Pick<RoutesRepository, 'listAll' | 'findByOrg'> = {
    listAll() {
      calls.push('listAll');
      return failing.on ? Promise.reject(new Error('database is down')) : inner.listAll();
    },
    findByOrg(orgId) {
      calls.push('findByOrg');
      return failing.on ? Promise.reject(new Error('database is down')) : inner.findByOrg(orgId);
    },
  };
  return { repo, calls };
}

// The shared one-route table (@navplane/testing), as stored.
const table = (model: string, targetModel = 'gpt-4.1'): JsonObject => singleTargetTable(model, targetModel).stored;

describe.each(TEST_DIALECTS)('route store on %s', (dialect) => {
  let test: TestDatabase;
  let other: Database; // another process's connection (another gateway, or the admin API)
  let repos: Repositories;
  let otherRepos: Repositories;
  let feed: ChangeFeed;
  let otherFeed: ChangeFeed;
  const stores: RouteStore[] = [];

  const seedOrg = (name = 'Acme') => repos.orgs.create({ id: newId('org'), name, createdAt: toIso(Date.now()) });

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    other = await openDatabase({ url: test.url, poolSize: 4 });
    repos = createRepositories(test.database);
    otherRepos = createRepositories(other);
    feed = createChangeFeed(test.database, { pollIntervalMs: 50 });
    otherFeed = createChangeFeed(other, { pollIntervalMs: 50 });
    await feed.start();
    await otherFeed.start();
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
    await feed.close();
    await otherFeed.close();
    await other.close();
    await test.drop();
  });

  const storeOn = (options: { failing?: { on: boolean }; on?: Repositories; changeFeed?: ChangeFeed } = {}) => {
    const onError = jest.fn();
    const wrapped = counting((options.on ?? repos).routes, options.failing ?? { on: false });
    const store = createRouteStore({ routes: wrapped.repo, changeFeed: options.changeFeed ?? feed, onError });
    stores.push(store);
    return { store, calls: wrapped.calls, onError };
  };

  it('loads every org’s table at start; a warm get or peek makes no query', async () => {
    const org = await seedOrg();
    const empty = await seedOrg('Empty');
    await repos.routes.put(org.id, table('smart'), toIso(Date.now()));
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
    const org = await seedOrg();
    await repos.routes.put(org.id, table('fast'), toIso(Date.now()));
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
    const org = await seedOrg();
    const a = storeOn();
    const b = storeOn({ on: otherRepos, changeFeed: otherFeed });
    await Promise.all([a.store.start(), b.store.start()]);
    expect([a.store.peek(org.id), b.store.peek(org.id)]).toEqual([{ routes: [] }, { routes: [] }]);

    // Instance A's admin call writes and announces; instance B, on its own connection, follows.
    await repos.routes.put(org.id, table('smart', 'gpt-4.1'), toIso(Date.now()));
    await feed.publish(CHANGE_TOPICS.routesChanged, { orgId: org.id });
    const tookB = await waitFor(() => b.store.peek(org.id)?.routes[0]?.model === 'smart');
    expect(tookB).toBeLessThan(1000);
    expect(a.store.peek(org.id)?.routes[0]?.model === 'smart' || (await a.store.get(org.id)).routes[0]?.model === 'smart').toBe(true);

    // And the other way round.
    await otherRepos.routes.put(org.id, table('smart', 'gpt-4.1-mini'), toIso(Date.now()));
    await otherFeed.publish(CHANGE_TOPICS.routesChanged, { orgId: org.id });
    const tookA = await waitFor(() => a.store.peek(org.id)?.routes[0]?.targets[0]?.model === 'gpt-4.1-mini');
    expect(tookA).toBeLessThan(1000);
    expect((await b.store.get(org.id)).routes[0]?.targets[0]?.model).toBe('gpt-4.1-mini');
    // Each change cost each store one read of that org, nothing more.
    expect(b.calls.filter((call) => call === 'findByOrg').length).toBeLessThanOrEqual(2);
  });

  it('forgets an org whose re-read failed (get reads again), and recovers once the database is back', async () => {
    const org = await seedOrg();
    await repos.routes.put(org.id, table('smart'), toIso(Date.now()));
    const failing = { on: false };
    const { store, onError } = storeOn({ failing });
    await store.start();
    failing.on = true;
    await feed.publish(CHANGE_TOPICS.routesChanged, { orgId: org.id });
    await waitFor(() => store.peek(org.id) === undefined && onError.mock.calls.length > 0);
    await expect(store.get(org.id)).rejects.toThrow('database is down');
    failing.on = false;
    expect((await store.get(org.id)).routes[0]?.model).toBe('smart');
    expect(store.peek(org.id)?.routes[0]?.model).toBe('smart');
  });

  it('reloads everything on a resync', async () => {
    const org = await seedOrg();
    const { store, calls } = storeOn();
    await store.start();
    await repos.routes.put(org.id, table('late'), toIso(Date.now()));
    await feed.publish(CHANGE_FEED_RESYNC_TOPIC, {});
    await waitFor(() => store.peek(org.id)?.routes[0]?.model === 'late');
    expect(calls.filter((call) => call === 'listAll')).toHaveLength(2);
  });

  it('refuses to serve a stored row the schema no longer accepts (a hand-edited row), naming the problem', async () => {
    const org = await seedOrg();
    await repos.routes.put(org.id, { routes: [{ model: 'x', targets: [] }] }, toIso(Date.now()));
    const { store } = storeOn();
    await expect(store.get(org.id)).rejects.toThrow('routes[0].targets');
  });
});
