import { newId, toIso } from '@navplane/core';
import { CHANGE_FEED_RESYNC_TOPIC, CHANGE_TOPICS, type NewPolicy } from '@navplane/storage';
import { countedReads, openTwoProcesses, TEST_DIALECTS, waitFor as waitUpTo, type TwoProcesses } from '@navplane/storage/testing';
import { createPolicyStore } from './policy-store';

const policy = (overrides: Partial<NewPolicy> = {}): NewPolicy => ({
  id: newId('policy'),
  scopeType: 'org',
  scopeValue: null,
  mode: 'block',
  config: {},
  ...overrides,
});

// This spec's changes have 2 s to arrive.
const waitFor = (probe: () => boolean) => waitUpTo(probe, 2000);

describe.each(TEST_DIALECTS)('policy store on %s', (dialect) => {
  // This process and another one (the admin API) on the same database.
  let env: TwoProcesses;
  beforeAll(async () => {
    env = await openTwoProcesses(dialect);
  });
  afterAll(() => env.close());

  const counting = (failing: { on: boolean }) => countedReads(env.repos.policies, ['listAll', 'listByOrg'], failing);
  const storeOn = (failing = { on: false }, onError = jest.fn()) => {
    const wrapped = counting(failing);
    const store = env.own(createPolicyStore({ policies: wrapped.repo, changeFeed: env.feed, onError }));
    return { store, calls: wrapped.calls, onError };
  };

  it('loads every org’s policies at start and answers from memory with no query', async () => {
    const org = await env.seedOrg();
    const empty = await env.seedOrg('Empty');
    const rowId = newId('policy');
    await env.repos.policies.replaceForOrg(
      org.id,
      [policy({ id: rowId, config: { detectors: ['email', 'not_a_detector'] } })],
      toIso(Date.now()),
    );
    const { store, calls } = storeOn();
    expect(store.peek(org.id)).toBeUndefined(); // not loaded yet: unknown
    await store.start();
    expect(store.peek(org.id)).toEqual([{ id: rowId, scopeType: 'org', scopeValue: null, mode: 'block', detectors: ['email'] }]);
    expect(store.peek(empty.id)).toEqual([]);
    for (let i = 0; i < 100; i += 1) store.peek(org.id);
    expect(calls).toEqual(['listAll']);
  });

  it('re-reads an org within 1 s of another process replacing its policies', async () => {
    const org = await env.seedOrg();
    const { store } = storeOn();
    await store.start();
    expect(store.peek(org.id)).toEqual([]);
    await env.otherRepos.policies.replaceForOrg(org.id, [policy({ mode: 'redact_upstream' })], toIso(Date.now()));
    await env.otherFeed.publish(CHANGE_TOPICS.policyChanged, { orgId: org.id });
    const tookMs = await waitFor(() => store.peek(org.id)?.[0]?.mode === 'redact_upstream');
    expect(tookMs).toBeLessThan(1000);
    await env.otherRepos.policies.replaceForOrg(org.id, [], toIso(Date.now()));
    await env.otherFeed.publish(CHANGE_TOPICS.policyChanged, { orgId: org.id });
    await waitFor(() => store.peek(org.id)?.length === 0);
  });

  it('forgets an org whose refresh failed (callers fail closed), and recovers once the database is back', async () => {
    const org = await env.seedOrg();
    const failing = { on: false };
    const { store, onError } = storeOn(failing);
    await store.start();
    failing.on = true;
    await env.feed.publish(CHANGE_TOPICS.policyChanged, { orgId: org.id });
    await waitFor(() => store.peek(org.id) === undefined);
    expect(onError).toHaveBeenCalled();
    await expect(store.load(org.id)).rejects.toThrow('database is down');
    failing.on = false;
    expect(await store.load(org.id)).toEqual([]);
    expect(store.peek(org.id)).toEqual([]);
  });

  it('reloads everything on a resync, and a failed reload makes every org unknown', async () => {
    const org = await env.seedOrg();
    const failing = { on: false };
    const { store, calls } = storeOn(failing);
    await store.start();
    await env.repos.policies.replaceForOrg(org.id, [policy()], toIso(Date.now()));
    await env.feed.publish(CHANGE_FEED_RESYNC_TOPIC, {});
    await waitFor(() => store.peek(org.id)?.length === 1);
    expect(calls.filter((call) => call === 'listAll')).toHaveLength(2);
    failing.on = true;
    await env.feed.publish(CHANGE_FEED_RESYNC_TOPIC, {});
    await waitFor(() => store.peek(org.id) === undefined && store.peek('org_never_seen') === undefined);
  });

  it('past its bound, reads an org it does not hold instead of taking it to have no policies (fail safe)', async () => {
    const [first, second] = [await env.seedOrg('First'), await env.seedOrg('Second')];
    for (const org of [first, second]) await env.repos.policies.replaceForOrg(org.id, [policy()], toIso(Date.now()));
    const wrapped = counting({ on: false });
    const store = env.own(createPolicyStore({ policies: wrapped.repo, changeFeed: env.feed, onError: jest.fn(), maxEntries: 1 }));
    await store.start(); // more orgs with policies than it may hold
    const evicted = [first, second].find((org) => store.peek(org.id) === undefined);
    expect(evicted).toBeDefined();
    expect(store.peek('org_without_policies')).toBeUndefined(); // unknown, not "none": the snapshot is partial
    expect(await store.load(evicted?.id ?? '')).toHaveLength(1);
    expect(wrapped.calls).toEqual(['listAll', 'listByOrg']);
  });

  it('shares one re-read between the requests that arrive while an org is being re-read', async () => {
    const org = await env.seedOrg();
    const { store, calls } = storeOn();
    await store.start();
    await env.repos.policies.replaceForOrg(org.id, [policy()], toIso(Date.now()));
    const published = env.feed.publish(CHANGE_TOPICS.policyChanged, { orgId: org.id }); // delivered here at once
    expect(store.peek(org.id)).toBeUndefined(); // forgotten at once
    const loads = await Promise.all([store.load(org.id), store.load(org.id), store.load(org.id)]);
    await published;
    expect(loads.every((rules) => rules.length === 1)).toBe(true);
    expect(calls.filter((call) => call === 'listByOrg')).toHaveLength(1);
  });

  it('start() rejects while the database is down and can be retried', async () => {
    const failing = { on: true };
    const { store } = storeOn(failing);
    await expect(store.start()).rejects.toThrow('database is down');
    failing.on = false;
    await store.start();
    expect(store.peek('org_without_policies')).toEqual([]);
  });
});
