import { ManualClock } from '@navplane/core';
import { deleteRedisKeys, redisKeys, TEST_REDIS_URL, testRedisClient, testRedisPrefix } from '@navplane/testing';
import { Redis } from 'ioredis';
import type { ApplicableLimit, LimitEntry } from '../limit-document';
import type { CounterStore } from './counter-store';
import { createLimitCounters, type LimitCounters, type LimitDecision } from './limit-counters';
import { createMemoryCounterStore } from './memory-counter-store';
import { formatResetDuration } from './rate-limit-headers';
import { createRedisCounterStore } from './redis-counter-store';

const ORG = 'org_0123456789abcdef';
const applicable = (scopeKey: string, limits: Omit<LimitEntry, 'scope'>): ApplicableLimit => ({
  scopeKey,
  entry: { scope: { type: 'org' }, ...limits },
});
const orgLimit = (limits: Omit<LimitEntry, 'scope'>) => applicable('org', limits);
const keyLimit = (limits: Omit<LimitEntry, 'scope'>) => applicable('key:key_0123456789abcdef', limits);

let leaseIds = 0;
const nextLease = () => `lease-${++leaseIds}`;

async function admit(counters: LimitCounters, limits: readonly ApplicableLimit[]): Promise<LimitDecision> {
  return counters.admit(ORG, limits, nextLease());
}

function admitted(decision: LimitDecision) {
  if (decision.outcome !== 'admitted') throw new Error(`expected admitted, got ${JSON.stringify(decision)}`);
  return decision;
}

/** The behaviour both stores share (no clock moves: the Redis store counts on the server's clock). */
function sharedBehaviour(name: string, open: () => Promise<{ counters: LimitCounters; done: () => Promise<void> }>) {
  describe(`${name}: shared behaviour`, () => {
    let counters: LimitCounters;
    let done: () => Promise<void>;
    beforeEach(async () => {
      ({ counters, done } = await open());
    });
    afterEach(async () => {
      counters.close();
      await done();
    });

    it('admits rpm requests, counting the headers down one per request, then refuses with a Retry-After within the window', async () => {
      const limits = [keyLimit({ rpm: 3 })];
      const remaining: string[] = [];
      for (let i = 0; i < 3; i += 1)
        remaining.push(admitted(await admit(counters, limits)).headers['x-ratelimit-remaining-requests'] ?? '');
      expect(remaining).toEqual(['2', '1', '0']);
      const refused = await admit(counters, limits);
      expect(refused).toMatchObject({ outcome: 'refused', limit: 'rpm', scopeKey: 'key:key_0123456789abcdef' });
      if (refused.outcome !== 'refused') return;
      expect(refused.retryAfterMs).toBeGreaterThan(0);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
    });

    it('counts all scopes or none: a refusal by the key leaves the org window as it was', async () => {
      const limits = [orgLimit({ rpm: 10 }), keyLimit({ rpm: 1 })];
      expect(admitted(await admit(counters, limits)).headers['x-ratelimit-remaining-requests']).toBe('0'); // the key's, the strictest
      expect((await admit(counters, limits)).outcome).toBe('refused');
      expect((await admit(counters, limits)).outcome).toBe('refused');
      // Another key of the org: the org counted one request only.
      const other = admitted(await admit(counters, [orgLimit({ rpm: 10 })]));
      expect(other.headers['x-ratelimit-remaining-requests']).toBe('8');
    });

    it('refuses on tpm once the window holds tpm tokens, and adds the tokens at release', async () => {
      const limits = [orgLimit({ tpm: 100 })];
      const first = admitted(await admit(counters, limits));
      expect(first.headers).toMatchObject({ 'x-ratelimit-limit-tokens': '100', 'x-ratelimit-remaining-tokens': '100' });
      first.lease.release(60);
      await settle();
      const second = admitted(await admit(counters, limits));
      expect(second.headers['x-ratelimit-remaining-tokens']).toBe('40');
      second.lease.release(40);
      second.lease.release(40); // a second release counts nothing
      await settle();
      expect(await admit(counters, limits)).toMatchObject({ outcome: 'refused', limit: 'tpm' });
    });

    it('holds a concurrency slot per lease until it is released, once', async () => {
      const limits = [keyLimit({ concurrency: 2 })];
      const a = admitted(await admit(counters, limits));
      const b = admitted(await admit(counters, limits));
      const full = await admit(counters, limits);
      expect(full).toMatchObject({ outcome: 'refused', limit: 'concurrency', retryAfterMs: 1000 });
      // OpenAI has no header for concurrency: a 429 of this limit carries Retry-After alone.
      expect(full.outcome === 'refused' ? full.headers : undefined).toEqual({});
      a.lease.release(0);
      a.lease.release(0);
      await settle();
      const c = admitted(await admit(counters, limits));
      expect(await admit(counters, limits)).toMatchObject({ outcome: 'refused', limit: 'concurrency' });
      b.lease.release(0);
      c.lease.release(0);
      await settle();
      admitted(await admit(counters, limits));
    });

    it('counts nothing for entries without rpm, tpm or concurrency', async () => {
      expect(await admit(counters, [orgLimit({ budget: { usd: 5, period: 'day' } })])).toEqual({ outcome: 'unlimited' });
      expect(await admit(counters, [])).toEqual({ outcome: 'unlimited' });
    });
  });
}

/** Lets released leases reach their store (a Redis release is a round trip). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

sharedBehaviour('memory', () =>
  Promise.resolve({ counters: createLimitCounters({ store: createMemoryCounterStore() }), done: () => Promise.resolve() }),
);

describe('memory: the rolling window', () => {
  it('frees each request 60 s after it was counted, and Retry-After says when', () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 0, 0, 0, 500));
    const counters = createLimitCounters({ store: createMemoryCounterStore({ clock }) });
    const limits = [orgLimit({ rpm: 2 })];
    expect(counters.admit(ORG, limits, nextLease())).toMatchObject({ outcome: 'admitted' });
    clock.advance(10_000);
    const second = counters.admit(ORG, limits, nextLease());
    expect(second).toMatchObject({ outcome: 'admitted', headers: { 'x-ratelimit-reset-requests': '59.5s' } });
    // The first request (second 0 of the window) leaves at 60 s: 49.5 s from now.
    // The 429 says so in OpenAI's headers too: the limit, nothing left, and the same wait.
    expect(counters.admit(ORG, limits, nextLease())).toEqual({
      outcome: 'refused',
      limit: 'rpm',
      scopeKey: 'org',
      retryAfterMs: 49_500,
      headers: { 'x-ratelimit-limit-requests': '2', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '49.5s' },
    });
    clock.advance(49_500);
    expect(counters.admit(ORG, limits, nextLease())).toMatchObject({
      outcome: 'admitted',
      headers: { 'x-ratelimit-remaining-requests': '0' },
    });
    expect(counters.admit(ORG, limits, nextLease())).toMatchObject({ outcome: 'refused', retryAfterMs: 10_000 });
    counters.close();
  });

  it('lets tokens leave the tpm window after 60 s', () => {
    const clock = new ManualClock();
    const counters = createLimitCounters({ store: createMemoryCounterStore({ clock }) });
    const limits = [orgLimit({ tpm: 50 })];
    const first = counters.admit(ORG, limits, nextLease());
    if (first instanceof Promise || first.outcome !== 'admitted') throw new Error('expected a synchronous admission');
    first.lease.release(80);
    expect(counters.admit(ORG, limits, nextLease())).toMatchObject({
      outcome: 'refused',
      limit: 'tpm',
      retryAfterMs: 60_000,
      headers: { 'x-ratelimit-limit-tokens': '50', 'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-reset-tokens': '1m0s' },
    });
    clock.advance(60_000);
    expect(counters.admit(ORG, limits, nextLease())).toMatchObject({
      outcome: 'admitted',
      headers: { 'x-ratelimit-remaining-tokens': '50' },
    });
    counters.close();
  });
});

describe('an admission that fails after the store counted it (a timeout)', () => {
  it('hands the lease back to the store, so its concurrency slot is not held until the TTL', async () => {
    const inner = createMemoryCounterStore();
    // The store counts the request and takes the lease, then the call fails: as Redis does when its answer comes after
    // the command timeout.
    const late: CounterStore = {
      ...inner,
      admit(checks, leaseId) {
        void inner.admit(checks, leaseId);
        return Promise.reject(new Error('Command timed out'));
      },
    };
    const counters = createLimitCounters({ store: late, fallback: createMemoryCounterStore() });
    const limits = [keyLimit({ concurrency: 1 })];
    admitted(await admit(counters, limits)); // admitted by the fallback (fail-open)
    // The slot the late call took in the store was handed back: the store admits the next request.
    const next = inner.admit([{ key: `${ORG}:key:key_0123456789abcdef`, concurrency: 1 }], nextLease());
    expect(next).toMatchObject({ admitted: true });
    counters.close();
  });
});

describe('formatResetDuration', () => {
  it.each([
    [0, '0ms'],
    [20, '20ms'],
    [1000, '1s'],
    [59_500, '59.5s'],
    [360_000, '6m0s'],
    [86_400, '1m26.4s'],
    [3_600_000, '1h0m0s'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatResetDuration(ms)).toBe(text);
  });
});

const describeRedis = TEST_REDIS_URL === undefined ? describe.skip : describe;
const redisUrl = TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describeRedis('redis', () => {
  let admin: Redis;
  const clients: Redis[] = [];
  const prefixes: string[] = [];
  const client = () => {
    const made = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    clients.push(made);
    return made;
  };
  const prefix = () => {
    const made = testRedisPrefix();
    prefixes.push(made);
    return made;
  };
  const ready = (made: Redis) =>
    new Promise<void>((resolve) => (made.status === 'ready' ? resolve() : made.once('ready', () => resolve())));
  const store = async (options: { prefix: string; leaseTtlMs?: number }): Promise<CounterStore> => {
    const made = client();
    await ready(made);
    return createRedisCounterStore({ client: made, ...options });
  };

  beforeAll(() => {
    admin = testRedisClient(redisUrl);
  });
  afterAll(async () => {
    for (const own of prefixes) await deleteRedisKeys(admin, own);
    for (const made of clients) made.disconnect();
    admin.disconnect();
  });

  sharedBehaviour('redis', async () => {
    const counters = createLimitCounters({ store: await store({ prefix: prefix() }) });
    return { counters, done: () => Promise.resolve() };
  });

  it('keeps every key under the prefix, with an expiry', async () => {
    const own = prefix();
    const counters = createLimitCounters({ store: await store({ prefix: own }) });
    admitted(await admit(counters, [orgLimit({ rpm: 5, tpm: 10, concurrency: 1 })])).lease.release(3);
    await settle();
    admitted(await admit(counters, [orgLimit({ rpm: 5, tpm: 10, concurrency: 1 })]));
    const keys = await redisKeys(admin, own);
    expect(keys).toEqual([`${own}limits:${ORG}:org:concurrency`, `${own}limits:${ORG}:org:rpm`, `${own}limits:${ORG}:org:tpm`]);
    for (const key of keys) expect(await admin.pttl(key)).toBeGreaterThan(0);
    counters.close();
  });

  it('never admits more than rpm across instances sharing one prefix, however concurrent', async () => {
    const own = prefix();
    const instances = [
      createLimitCounters({ store: await store({ prefix: own }) }),
      createLimitCounters({ store: await store({ prefix: own }) }),
    ];
    const limits = [orgLimit({ rpm: 25 }), keyLimit({ concurrency: 1000 })];
    const decisions = await Promise.all(Array.from({ length: 80 }, (_, i) => admit(instances[i % 2] as LimitCounters, limits)));
    expect(decisions.filter((decision) => decision.outcome === 'admitted')).toHaveLength(25);
    expect(decisions.filter((decision) => decision.outcome === 'refused')).toHaveLength(55);
    for (const instance of instances) instance.close();
  });

  it('frees the slot of an instance that died once its lease TTL passes, and keeps a live one renewed', async () => {
    const own = prefix();
    const limits = [keyLimit({ concurrency: 1 })];
    const dead = await store({ prefix: own, leaseTtlMs: 300 });
    const deadCounters = createLimitCounters({ store: dead });
    admitted(await admit(deadCounters, limits));
    deadCounters.close(); // stops renewing, never releases: the instance is gone
    const live = createLimitCounters({ store: await store({ prefix: own, leaseTtlMs: 300 }) });
    expect(await admit(live, limits)).toMatchObject({ outcome: 'refused', limit: 'concurrency' });
    await new Promise((resolve) => setTimeout(resolve, 450));
    const held = admitted(await admit(live, limits));
    await new Promise((resolve) => setTimeout(resolve, 700)); // over two TTLs: renewed meanwhile
    expect(await admit(live, limits)).toMatchObject({ outcome: 'refused', limit: 'concurrency' });
    held.lease.release(0);
    await settle();
    admitted(await admit(live, limits));
    live.close();
  });

  it('fails open to memory (one warning per outage) or closed, when Redis cannot be reached', async () => {
    const unreachable = new Redis('redis://127.0.0.1:1', { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true });
    unreachable.connect().catch(() => undefined);
    clients.push(unreachable);
    const errors: boolean[] = [];
    const open = createLimitCounters({
      store: createRedisCounterStore({ client: unreachable, prefix: prefix() }),
      fallback: createMemoryCounterStore(),
      onStoreError: (_error, first) => errors.push(first),
    });
    const limits = [orgLimit({ rpm: 2 })];
    expect(admitted(await admit(open, limits)).headers['x-ratelimit-remaining-requests']).toBe('1');
    expect((await admit(open, limits)).outcome).toBe('admitted');
    expect(await admit(open, limits)).toMatchObject({ outcome: 'refused', limit: 'rpm' }); // counted in memory meanwhile
    expect(errors).toEqual([true, false, false]);
    open.close();

    const closed = createLimitCounters({ store: createRedisCounterStore({ client: unreachable, prefix: prefix() }) });
    expect(await admit(closed, limits)).toEqual({ outcome: 'unavailable' });
    expect(await admit(closed, [])).toEqual({ outcome: 'unlimited' });
    closed.close();
  });
});
