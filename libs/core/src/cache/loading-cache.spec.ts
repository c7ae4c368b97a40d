import { inspect } from 'node:util';
import { ManualClock } from '../clock';
import { cacheCountsSnapshot, cacheSizesSnapshot } from './cache-counters';
import { LoadingCache, type ChangePayload, type ChangeSource, type LoadingCacheOptions } from './loading-cache';

/** A promise the test settles by hand. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((done, fail) => {
    resolve = done;
    reject = fail;
  });
  return { promise, resolve, reject };
}

/** A loader that answers from `source` and counts its reads. */
function countingLoader(source: Map<string, string>) {
  const reads: string[] = [];
  const load = (key: string) => {
    reads.push(key);
    return Promise.resolve(source.get(key));
  };
  return { load, reads };
}

/** A loader whose reads wait until the test releases them, one by one. */
function gatedLoader() {
  const gates: { key: string; gate: ReturnType<typeof deferred<string | undefined>> }[] = [];
  const load = (key: string) => {
    const gate = deferred<string | undefined>();
    gates.push({ key, gate });
    return gate.promise;
  };
  return { load, gates };
}

/** Lets settled promises run their continuations. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A change source the test publishes on. */
function changeSource() {
  const handlers = new Map<string, Set<(payload: ChangePayload) => void>>();
  const source: ChangeSource = {
    subscribe(topic, handler) {
      const set = handlers.get(topic) ?? new Set();
      set.add(handler);
      handlers.set(topic, set);
      return () => set.delete(handler);
    },
  };
  const publish = (topic: string, payload: ChangePayload = {}) => {
    for (const handler of handlers.get(topic) ?? []) handler(payload);
  };
  const subscribers = () => [...handlers.values()].reduce((sum, set) => sum + set.size, 0);
  return { source, publish, subscribers };
}

let names = 0;
/** A cache with a name of its own, so the process-wide counters start at zero. */
function cache<V = string>(options: Omit<LoadingCacheOptions<string, V>, 'name'> & { name?: string }) {
  names += 1;
  return new LoadingCache<string, V>({ name: `test_cache_${names}`, ...options });
}

describe('LoadingCache', () => {
  describe('bounds', () => {
    it('holds at most maxEntries, evicting the least recently used, and counts capacity evictions', () => {
      const c = cache({ maxEntries: 2 });
      c.set('a', 'A');
      c.set('b', 'B');
      expect(c.peek('a')).toBe('A'); // a is now the most recently used
      c.set('c', 'C');
      expect(c.size).toBe(2);
      expect(c.peek('b')).toBeUndefined();
      expect(c.peek('a')).toBe('A');
      expect(c.peek('c')).toBe('C');
      expect(c.stats().evictions).toEqual({ capacity: 1, expired: 0, invalidated: 0 });
    });

    it('allocates as entries arrive, not for maxEntries up front (a major GC marks what is allocated)', () => {
      // lru-cache's `max` preallocates a key and a value slot per entry (16 MB of heap for a million); four caches of
      // a million entries and a negative cache each would hold over 100 MB before their first entry.
      const before = process.memoryUsage().heapUsed;
      const caches = Array.from({ length: 4 }, () => cache({ maxEntries: 1_000_000, absent: { maxEntries: 1_000_000, ttlMs: 1000 } }));
      const grown = process.memoryUsage().heapUsed - before;
      for (const c of caches) c.close();
      expect(grown).toBeLessThan(16 * 1024 * 1024);
    });

    it('still evicts at maxEntries when full of a large bound', () => {
      const c = cache({ maxEntries: 3 });
      for (const key of ['a', 'b', 'c', 'd', 'e']) c.set(key, key.toUpperCase());
      expect(c.size).toBe(3);
      expect([c.peek('a'), c.peek('b'), c.peek('c'), c.peek('d'), c.peek('e')]).toEqual([undefined, undefined, 'C', 'D', 'E']);
      expect(c.stats().evictions.capacity).toBe(2);
    });

    it('holds nothing with maxEntries 0, yet still merges concurrent loads', async () => {
      const { load, reads } = countingLoader(new Map([['a', 'A']]));
      const c = cache({ maxEntries: 0, load });
      expect(await Promise.all([c.get('a'), c.get('a')])).toEqual(['A', 'A']);
      expect(reads).toEqual(['a']);
      expect(await c.get('a')).toBe('A');
      expect(reads).toEqual(['a', 'a']);
      c.set('b', 'B');
      expect(c.size).toBe(0);
      expect(c.peek('b')).toBeUndefined();
    });

    it('rejects a bad name or bound', () => {
      expect(() => cache({ name: 'Keys', maxEntries: 1 })).toThrow(/snake_case/);
      expect(() => cache({ name: 'keys-2', maxEntries: 1 })).toThrow(/snake_case/);
      expect(() => cache({ maxEntries: -1 })).toThrow(RangeError);
      expect(() => cache({ maxEntries: 1.5 })).toThrow(RangeError);
      expect(() => cache({ maxEntries: 1, ttlMs: -1 })).toThrow(RangeError);
      expect(() => cache({ maxEntries: 1, absent: { maxEntries: 1, ttlMs: Number.NaN } })).toThrow(RangeError);
    });
  });

  describe('time to live', () => {
    it('serves a value until ttlMs has passed, then reads it again', async () => {
      const clock = new ManualClock();
      const source = new Map([['a', 'A1']]);
      const { load, reads } = countingLoader(source);
      const c = cache({ maxEntries: 10, ttlMs: 100, clock, load });
      expect(await c.get('a')).toBe('A1');
      source.set('a', 'A2');
      clock.advance(99);
      expect(await c.get('a')).toBe('A1');
      clock.advance(1);
      expect(c.peek('a')).toBeUndefined();
      expect(await c.get('a')).toBe('A2');
      expect(reads).toEqual(['a', 'a']);
      expect(c.stats().evictions.expired).toBe(1);
    });

    it('takes each value’s TTL from ttlOf; 0 answers without holding', async () => {
      const clock = new ManualClock();
      const source = new Map([
        ['long', 'long'],
        ['short', 'short'],
        ['never', 'never'],
      ]);
      const { load, reads } = countingLoader(source);
      const ttl: Record<string, number> = { long: 10_000, short: 10, never: 0 };
      const c = cache({ maxEntries: 10, clock, load, ttlOf: (value) => ttl[value] });
      for (const key of ['long', 'short', 'never']) expect(await c.get(key)).toBe(key);
      clock.advance(10);
      expect(c.peek('long')).toBe('long');
      expect(c.peek('short')).toBeUndefined();
      expect(c.peek('never')).toBeUndefined();
      await c.get('never');
      expect(reads).toEqual(['long', 'short', 'never', 'never']);
    });

    it('keeps no value at all past its TTL with the system clock (fake timers)', () => {
      jest.useFakeTimers({ now: Date.UTC(2026, 0, 1) });
      try {
        const c = cache({ maxEntries: 10, ttlMs: 1000 });
        c.set('a', 'A');
        jest.advanceTimersByTime(999);
        expect(c.peek('a')).toBe('A');
        jest.advanceTimersByTime(1);
        expect(c.peek('a')).toBeUndefined();
      } finally {
        jest.useRealTimers();
      }
    });
  });

  describe('absent keys', () => {
    it('remembers a key the loader found nothing for, for absent.ttlMs, and forgets it on invalidation', async () => {
      const clock = new ManualClock();
      const source = new Map<string, string>();
      const { load, reads } = countingLoader(source);
      const c = cache({ maxEntries: 10, clock, load, absent: { maxEntries: 10, ttlMs: 30_000 } });
      expect(await c.get('ghost')).toBeUndefined();
      expect(await c.get('ghost')).toBeUndefined();
      expect(reads).toEqual(['ghost']);
      expect(c.absentSize).toBe(1);
      expect(c.stats()).toMatchObject({ hits: 1, misses: 1 });
      clock.advance(30_000);
      expect(await c.get('ghost')).toBeUndefined();
      expect(reads).toEqual(['ghost', 'ghost']);

      source.set('ghost', 'here now');
      c.invalidate('ghost');
      expect(await c.get('ghost')).toBe('here now');
      expect(c.absentSize).toBe(0);
    });

    it('bounds absent keys on their own, so unknown keys never push out known ones', async () => {
      const source = new Map([['known', 'K']]);
      const { load, reads } = countingLoader(source);
      const c = cache({ maxEntries: 1, load, absent: { maxEntries: 2, ttlMs: 60_000 } });
      await c.get('known');
      for (const ghost of ['g1', 'g2', 'g3']) await c.get(ghost);
      expect(c.absentSize).toBe(2);
      expect(await c.get('known')).toBe('K');
      expect(reads.filter((key) => key === 'known')).toHaveLength(1);
      expect(c.stats().evictions.capacity).toBe(1);
    });

    it('does not remember absence without the option', async () => {
      const { load, reads } = countingLoader(new Map());
      const c = cache({ maxEntries: 10, load });
      await c.get('ghost');
      await c.get('ghost');
      expect(reads).toEqual(['ghost', 'ghost']);
    });
  });

  describe('merged loads', () => {
    it('shares one load between concurrent callers and caches its answer', async () => {
      const { load, gates } = gatedLoader();
      const c = cache({ maxEntries: 10, load });
      const callers = [c.get('a'), c.get('a'), c.load('a')];
      expect(gates).toHaveLength(1);
      expect(c.stats().loading).toBe(1);
      gates[0]?.gate.resolve('A');
      expect(await Promise.all(callers)).toEqual(['A', 'A', 'A']);
      expect(await c.get('a')).toBe('A');
      expect(gates).toHaveLength(1);
      expect(c.stats()).toMatchObject({ hits: 1, misses: 2, loading: 0 });
    });

    it('rejects every caller of a failed load, caches nothing, and reads again next time', async () => {
      const { load, gates } = gatedLoader();
      const c = cache({ maxEntries: 10, load });
      const callers = [c.get('a'), c.get('a')];
      gates[0]?.gate.reject(new Error('database is down'));
      for (const caller of callers) await expect(caller).rejects.toThrow('database is down');
      const again = c.get('a');
      expect(gates).toHaveLength(2);
      gates[1]?.gate.resolve('A');
      expect(await again).toBe('A');
    });

    it('uses the loader a call passes, and says so when there is none', async () => {
      const c = cache({ maxEntries: 10 });
      expect(await c.get('a', (key) => Promise.resolve(`${key}!`))).toBe('a!');
      expect(c.peek('a')).toBe('a!');
      expect(() => c.get('b')).toThrow(/no loader/);
    });
  });

  describe('versions', () => {
    it('never caches a load that an invalidation overtook; its callers read again (once)', async () => {
      const { load, gates } = gatedLoader();
      const c = cache({ maxEntries: 10, load });
      const early = c.get('a');
      c.invalidate('a'); // e.g. the key was revoked while the first read was in flight
      gates[0]?.gate.resolve('stale');
      await settle();
      expect(gates).toHaveLength(2); // the early caller reads again
      gates[1]?.gate.resolve('fresh');
      expect(await early).toBe('fresh');
      expect(c.peek('a')).toBe('fresh');
    });

    it('without rereadOvertaken, answers the overtaken load to its callers but still does not cache it', async () => {
      const { load, gates } = gatedLoader();
      const c = cache({ maxEntries: 10, load, rereadOvertaken: false });
      const early = c.get('a');
      c.invalidate('a');
      const late = c.get('a'); // a new caller does not join the overtaken load
      expect(gates).toHaveLength(2);
      gates[0]?.gate.resolve('stale');
      expect(await early).toBe('stale');
      expect(c.peek('a')).toBeUndefined();
      gates[1]?.gate.resolve('fresh');
      expect(await late).toBe('fresh');
      expect(c.peek('a')).toBe('fresh');
    });

    it('a load that started before an invalidation cannot repopulate the key, even finishing last', async () => {
      const { load, gates } = gatedLoader();
      const c = cache({ maxEntries: 10, load, rereadOvertaken: false });
      c.set('a', 'v1');
      const old = c.load('a'); // reads v1 …
      c.invalidate('a'); // … the value changes …
      const fresh = c.get('a');
      gates[1]?.gate.resolve('v2'); // … a newer read lands first …
      expect(await fresh).toBe('v2');
      gates[0]?.gate.resolve('v1'); // … and the old one last
      expect(await old).toBe('v1');
      expect(c.peek('a')).toBe('v2');
    });

    it('load reads whatever is held, which stays readable until the answer replaces it', async () => {
      const { load, gates } = gatedLoader();
      const c = cache({ maxEntries: 10, load });
      c.set('org', 'enabled');
      const refreshing = c.load('org');
      expect(c.peek('org')).toBe('enabled');
      gates[0]?.gate.resolve('disabled');
      expect(await refreshing).toBe('disabled');
      expect(c.peek('org')).toBe('disabled');
    });

    it('an invalidation overtakes the read already running: its older answer is not written', async () => {
      const { load, gates } = gatedLoader();
      const c = cache({ maxEntries: 10, load });
      const first = c.load('org');
      c.invalidate('org');
      const second = c.load('org');
      gates[0]?.gate.resolve('old');
      await settle();
      expect(c.peek('org')).toBeUndefined();
      gates[1]?.gate.resolve('new');
      expect(await first).toBe('new'); // its caller waited for the fresh read
      expect(await second).toBe('new');
      expect(c.peek('org')).toBe('new');
    });

    it('a failed load forgets the key, unless something newer is known', async () => {
      const { load, gates } = gatedLoader();
      const c = cache({ maxEntries: 10, load });
      c.set('org', 'enabled');
      const failing = c.load('org');
      gates[0]?.gate.reject(new Error('database is down'));
      await expect(failing).rejects.toThrow('database is down');
      expect(c.peek('org')).toBeUndefined();

      c.set('org', 'enabled');
      const older = c.load('org');
      c.set('org', 'disabled'); // newer than the read
      gates[1]?.gate.reject(new Error('database is down'));
      await expect(older).rejects.toThrow();
      expect(c.peek('org')).toBe('disabled');
    });

    it('an older load cannot overwrite what a newer reloadAll wrote', async () => {
      const { load, gates } = gatedLoader();
      const all = deferred<[string, string][]>();
      const c = cache({ maxEntries: 10, load, loadAll: () => all.promise });
      const older = c.load('a');
      const reloading = c.reloadAll();
      all.resolve([['a', 'A-new']]);
      await reloading;
      gates[0]?.gate.resolve('A-old');
      expect(await older).toBe('A-old');
      expect(c.peek('a')).toBe('A-new');
    });

    it('an older load cannot write a key whose newer value was evicted while it ran', async () => {
      const { load, gates } = gatedLoader();
      const c = cache({ maxEntries: 2, load });
      const older = c.load('a');
      c.set('a', 'A-new');
      c.set('b', 'B');
      c.set('c', 'C'); // evicts a, the least recently used
      expect(c.peek('a')).toBeUndefined();
      gates[0]?.gate.resolve('A-old');
      expect(await older).toBe('A-old');
      expect(c.peek('a')).toBeUndefined(); // read again on demand, never the older answer
      expect(c.peek('b')).toBe('B');
    });
  });

  describe('invalidation', () => {
    it('invalidateWhere drops the matching values and overtakes every running load', async () => {
      const { load, gates } = gatedLoader();
      const c = cache<{ org: string; name: string }>({ maxEntries: 10, rereadOvertaken: false });
      c.set('k1', { org: 'x', name: 'one' });
      c.set('k2', { org: 'y', name: 'two' });
      const loading = c.get('k3', async (key) => ({ org: 'x', name: (await load(key)) ?? '' }));
      c.invalidateWhere((value) => value.org === 'x');
      expect(c.peek('k1')).toBeUndefined();
      expect(c.peek('k2')).toEqual({ org: 'y', name: 'two' });
      gates[0]?.gate.resolve('three');
      expect(await loading).toEqual({ org: 'x', name: 'three' });
      expect(c.peek('k3')).toBeUndefined();
      expect(c.stats().evictions.invalidated).toBe(1);
    });

    it('clear drops everything; no load running then can write afterwards', async () => {
      const { load, gates } = gatedLoader();
      const all = deferred<[string, string][]>();
      const c = cache({ maxEntries: 10, load, loadAll: () => all.promise, rereadOvertaken: false });
      c.set('a', 'A');
      const single = c.get('b');
      const reloading = c.reloadAll();
      c.clear();
      expect(c.size).toBe(0);
      gates[0]?.gate.resolve('B');
      all.resolve([['c', 'C']]);
      await Promise.all([single, reloading]);
      expect([c.peek('a'), c.peek('b'), c.peek('c')]).toEqual([undefined, undefined, undefined]);
      expect(c.stats().evictions.invalidated).toBe(1);
    });

    it('a reloadAll running during invalidateWhere does not write the values it matches', async () => {
      const all = deferred<[string, string][]>();
      const c = cache({ maxEntries: 10, loadAll: () => all.promise });
      const reloading = c.reloadAll();
      c.invalidateWhere((value) => value.startsWith('revoked'));
      all.resolve([
        ['a', 'revoked a'],
        ['b', 'live b'],
      ]);
      await reloading;
      expect(c.peek('a')).toBeUndefined();
      expect(c.peek('b')).toBe('live b');
    });

    it('a reloadAll running through more removals than it can track makes the cache drop everything', async () => {
      const all = deferred<[string, string][]>();
      const c = cache({ maxEntries: 10, loadAll: () => all.promise });
      c.set('held', 'H');
      const reloading = c.reloadAll();
      for (let i = 0; i < 1100; i += 1) c.invalidate(`key${i}`);
      await settle();
      expect(c.peek('held')).toBeUndefined();
      all.resolve([['key1', 'stale']]);
      await reloading;
      expect(c.peek('key1')).toBeUndefined();
    });

    it('tracks no removals of keys that no running load could write', async () => {
      const { load, gates } = gatedLoader();
      const c = cache({ maxEntries: 10, load, absent: { maxEntries: 1, ttlMs: 60_000 } });
      c.set('held', 'H');
      const slow = c.get('slow'); // a load that outlives a flood of other keys coming and going
      for (let i = 0; i < 5000; i += 1) c.invalidate(`key${i}`);
      for (let i = 0; i < 5000; i += 1) await c.get(`ghost${i}`, () => Promise.resolve(undefined)); // unknown keys, evicting each other
      await settle();
      expect(c.peek('held')).toBe('H');
      gates[0]?.gate.resolve('S');
      expect(await slow).toBe('S');
      expect(c.peek('slow')).toBe('S');
    });
  });

  describe('reloadAll and unlisted keys', () => {
    const snapshot = (rows: [string, string][]) => {
      let current = rows;
      let failing = false;
      return {
        loadAll: () => (failing ? Promise.reject(new Error('database is down')) : Promise.resolve(current)),
        set: (next: [string, string][]) => (current = next),
        fail: (on: boolean) => (failing = on),
      };
    };

    it('holds what it lists and drops older keys it no longer lists', async () => {
      const rows = snapshot([
        ['a', 'A'],
        ['b', 'B'],
      ]);
      const c = cache({ maxEntries: 10, loadAll: rows.loadAll });
      await c.reloadAll();
      expect([c.peek('a'), c.peek('b')]).toEqual(['A', 'B']);
      rows.set([['a', 'A2']]);
      await c.reloadAll();
      expect([c.peek('a'), c.peek('b')]).toEqual(['A2', undefined]);
    });

    it('a failed reloadAll forgets every older key and rejects', async () => {
      const rows = snapshot([['a', 'A']]);
      const c = cache({ maxEntries: 10, loadAll: rows.loadAll });
      await c.reloadAll();
      rows.fail(true);
      await expect(c.reloadAll()).rejects.toThrow('database is down');
      expect(c.peek('a')).toBeUndefined();
    });

    it('start loads once, shares the load, and can be retried after a failure', async () => {
      const rows = snapshot([['a', 'A']]);
      let calls = 0;
      const c = cache({
        maxEntries: 10,
        loadAll: () => {
          calls += 1;
          return rows.loadAll();
        },
      });
      rows.fail(true);
      await expect(c.start()).rejects.toThrow();
      rows.fail(false);
      await Promise.all([c.start(), c.start()]);
      await c.start();
      expect(calls).toBe(2);
      expect(c.peek('a')).toBe('A');
    });

    it('answers `unlisted` for keys a whole snapshot did not list, never for forgotten ones', async () => {
      const rows = snapshot([['a', 'A']]);
      const { load, gates } = gatedLoader();
      const c = cache({ maxEntries: 10, load, loadAll: rows.loadAll, unlisted: 'none' });
      expect(c.peek('z')).toBeUndefined(); // nothing loaded yet: unknown
      await c.reloadAll();
      expect(c.peek('z')).toBe('none');
      c.invalidate('z'); // z changed: unknown until read again
      expect(c.peek('z')).toBeUndefined();
      const reading = c.load('z');
      gates[0]?.gate.resolve('Z');
      expect(await reading).toBe('Z');
      expect(c.peek('z')).toBe('Z');
      const failing = c.load('a');
      gates[1]?.gate.reject(new Error('database is down'));
      await expect(failing).rejects.toThrow();
      expect(c.peek('a')).toBeUndefined();
      rows.fail(true);
      await expect(c.reloadAll()).rejects.toThrow();
      expect(c.peek('y')).toBeUndefined(); // the snapshot is gone: every key unknown
    });

    it('a key invalidated while the snapshot was read stays unknown after it', async () => {
      const all = deferred<[string, string][]>();
      const c = cache({ maxEntries: 10, loadAll: () => all.promise, unlisted: 'none' });
      const reloading = c.reloadAll();
      c.invalidate('a');
      all.resolve([
        ['a', 'A-before-the-change'],
        ['b', 'B'],
      ]);
      await reloading;
      expect(c.peek('a')).toBeUndefined();
      expect(c.peek('b')).toBe('B');
      expect(c.peek('c')).toBe('none');
    });

    it('an eviction makes the snapshot partial: unlisted keys are unknown again', async () => {
      const rows = snapshot([
        ['a', 'A'],
        ['b', 'B'],
      ]);
      const c = cache({ maxEntries: 2, loadAll: rows.loadAll, unlisted: 'none' });
      await c.reloadAll();
      expect(c.peek('c')).toBe('none');
      c.set('d', 'D'); // evicts a
      expect(c.peek('a')).toBeUndefined(); // not 'none': it may have a value
      expect(c.peek('c')).toBeUndefined();
    });

    it('a snapshot larger than the bound is partial from the start', async () => {
      const rows = snapshot([
        ['a', 'A'],
        ['b', 'B'],
        ['c', 'C'],
      ]);
      const c = cache({ maxEntries: 2, loadAll: rows.loadAll, unlisted: 'none' });
      await c.reloadAll();
      expect(c.peek('a')).toBeUndefined();
      expect(c.peek('z')).toBeUndefined();
    });
  });

  describe('change feed', () => {
    it('runs the handlers of followed topics, reports failures and stops on close', async () => {
      const feed = changeSource();
      const errors: Error[] = [];
      const failing = async (): Promise<string> => Promise.reject(new Error('database is down'));
      const c = cache({ maxEntries: 10, load: failing, onError: (e) => errors.push(e) });
      c.set('a', 'A');
      c.set('b', 'B');
      c.follow(feed.source, {
        'thing.changed': (payload) => (typeof payload['key'] === 'string' ? c.invalidate(payload['key']) : c.clear()),
        'thing.reread': (payload) => c.load(String(payload['key'])),
        'thing.broken': () => {
          throw new Error('handler bug');
        },
      });
      feed.publish('thing.changed', { key: 'a' });
      expect([c.peek('a'), c.peek('b')]).toEqual([undefined, 'B']);
      feed.publish('thing.reread', { key: 'b' });
      await settle();
      expect(c.peek('b')).toBeUndefined();
      feed.publish('thing.broken');
      expect(errors.map((e) => e.message)).toEqual(['database is down', 'handler bug']);
      c.close();
      expect(feed.subscribers()).toBe(0);
      c.set('a', 'A');
      feed.publish('thing.changed', {});
      expect(c.peek('a')).toBe('A');
    });
    it('followSnapshot forgets a changed key at once and re-reads it; a keyless change or a resync reloads all', async () => {
      const feed = changeSource();
      const rows = new Map([
        ['a', 'A1'],
        ['b', 'B1'],
      ]);
      const loads: string[] = [];
      let reloads = 0;
      const c = cache({
        maxEntries: 10,
        load: (key) => {
          loads.push(key);
          return Promise.resolve(rows.get(key));
        },
        loadAll: () => {
          reloads += 1;
          return Promise.resolve([...rows]);
        },
      });
      c.followSnapshot(feed.source, {
        changed: 'org.changed',
        resync: 'feed.resync',
        keyOf: (payload) => (typeof payload['orgId'] === 'string' ? payload['orgId'] : undefined),
      });
      await c.start();
      expect(reloads).toBe(1);

      rows.set('a', 'A2');
      feed.publish('org.changed', { orgId: 'a' });
      expect(c.peek('a')).toBeUndefined(); // forgotten before the re-read answers
      expect(c.peek('b')).toBe('B1');
      await settle();
      expect(loads).toEqual(['a']);
      expect(c.peek('a')).toBe('A2');

      rows.set('b', 'B2');
      feed.publish('org.changed', { orgId: 42 });
      await settle();
      expect(reloads).toBe(2);
      expect(c.peek('b')).toBe('B2');

      rows.set('b', 'B3');
      feed.publish('feed.resync');
      await settle();
      expect(reloads).toBe(3);
      expect(c.peek('b')).toBe('B3');
      c.close();
      expect(feed.subscribers()).toBe(0);
    });
  });

  describe('metrics', () => {
    it('counts hits, misses and evictions per instance and per name for the process', async () => {
      const name = `metrics_cache_${Date.now()}`;
      const clock = new ManualClock();
      const load = (key: string) => Promise.resolve(key.toUpperCase());
      const first = new LoadingCache<string, string>({ name, maxEntries: 1, ttlMs: 10, clock, load });
      const second = new LoadingCache<string, string>({ name, maxEntries: 5, clock, load });
      await first.get('a'); // miss
      await first.get('a'); // hit
      await first.get('b'); // miss, evicts a
      clock.advance(10);
      first.peek('b'); // miss, expired
      await second.get('a'); // miss
      second.peek('a'); // hit
      second.invalidate('a');
      expect(first.stats()).toMatchObject({ hits: 1, misses: 3, evictions: { capacity: 1, expired: 1, invalidated: 0 } });
      expect(second.stats()).toMatchObject({ hits: 1, misses: 1, evictions: { capacity: 0, expired: 0, invalidated: 1 } });
      expect(cacheCountsSnapshot().find((sample) => sample.cache === name)).toEqual({
        cache: name,
        hits: 2,
        misses: 4,
        evictions: { capacity: 1, expired: 1, invalidated: 1 },
      });
    });

    it('adds up what the live instances of a name hold, until each is closed', async () => {
      const name = `sizes_cache_${Date.now()}`;
      const load = (key: string) => Promise.resolve(key.toUpperCase());
      const sizesOf = () => cacheSizesSnapshot().find((sample) => sample.cache === name);
      const first = new LoadingCache<string, string>({ name, maxEntries: 2, load });
      const second = new LoadingCache<string, string>({ name, maxEntries: 5, load });
      expect(sizesOf()).toEqual({ cache: name, instances: 2, size: 0, maxEntries: 7 });
      await first.get('a');
      await first.get('b');
      await first.get('c'); // evicts a: the bound holds
      await second.get('a');
      expect(sizesOf()).toEqual({ cache: name, instances: 2, size: 3, maxEntries: 7 });
      first.close();
      expect(sizesOf()).toEqual({ cache: name, instances: 1, size: 1, maxEntries: 5 });
      second.close();
      expect(sizesOf()).toBeUndefined();
    });

    it('getOrCreate builds a value once per key and counts it', () => {
      const c = cache<{ built: number }>({ maxEntries: 10 });
      let built = 0;
      const make = () => ({ built: (built += 1) });
      const value = c.getOrCreate('a', make);
      expect(c.getOrCreate('a', make)).toBe(value);
      expect(built).toBe(1);
      expect(c.stats()).toMatchObject({ hits: 1, misses: 1 });
      expect(() =>
        c.getOrCreate('b', () => {
          throw new RangeError('bad recipe');
        }),
      ).toThrow(RangeError);
      expect(c.size).toBe(1);
    });
  });

  it('prints and serialises its shape only, never a value', () => {
    const c = cache({ name: 'secrets', maxEntries: 3 });
    c.set('k', 'sk-secret-value');
    expect(inspect(c, { showHidden: true, depth: 10 })).not.toContain('sk-secret-value');
    expect(JSON.stringify(c)).toBe('{"cache":"secrets","size":1,"maxEntries":3,"loading":0}');
  });
});
