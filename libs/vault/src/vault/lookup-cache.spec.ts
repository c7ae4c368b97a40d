import { ManualClock } from '@navplane/core';
import { LookupCache, type LoadedLookup } from './lookup-cache';
import { found, MISSING } from './lookup-results';

/** A load the test resolves by hand. */
function deferredLoad() {
  let resolve: (value: LoadedLookup) => void = () => undefined;
  const promise = new Promise<LoadedLookup>((done) => (resolve = done));
  return { load: () => promise, resolve };
}

describe('LookupCache', () => {
  it('keeps one load in flight per pair and caches its result', async () => {
    const cache = new LookupCache(10, new ManualClock());
    let loads = 0;
    const load = async (): Promise<LoadedLookup> => {
      loads += 1;
      return { lookup: found('sk-one'), ttlMs: 1000 };
    };
    const results = await Promise.all([cache.get('org', 'openai', load), cache.get('org', 'openai', load)]);
    expect(results).toEqual([found('sk-one'), found('sk-one')]);
    await cache.get('org', 'openai', load);
    expect(loads).toBe(1);
  });

  it('does not cache a load that an invalidation overtook, and starts a fresh one', async () => {
    const cache = new LookupCache(10, new ManualClock());
    const slow = deferredLoad();
    const pending = cache.get('org', 'openai', slow.load);
    cache.invalidate('org', 'openai');
    const fresh = cache.get('org', 'openai', async () => ({
      lookup: found('sk-new'),
      ttlMs: 1000,
    }));
    slow.resolve({ lookup: found('sk-old'), ttlMs: 1000 });
    expect(await pending).toEqual(found('sk-old'));
    expect(await fresh).toEqual(found('sk-new'));
    expect(
      await cache.get('org', 'openai', async () => ({
        lookup: MISSING,
        ttlMs: 1000,
      })),
    ).toEqual(found('sk-new'));
  });

  it('invalidates one pair, a whole org, or everything', async () => {
    const cache = new LookupCache(10, new ManualClock());
    const put = (org: string, provider: string) =>
      cache.get(org, provider, async () => ({
        lookup: found(`${org}/${provider}`),
        ttlMs: 1000,
      }));
    await Promise.all([put('a', 'openai'), put('a', 'anthropic'), put('b', 'openai')]);
    const probe = (org: string, provider: string) => cache.get(org, provider, async () => ({ lookup: MISSING, ttlMs: 0 }));
    cache.invalidate('a', 'openai');
    expect(await probe('a', 'openai')).toEqual(MISSING);
    expect(await probe('a', 'anthropic')).toEqual(found('a/anthropic'));
    cache.invalidate('a');
    expect(await probe('a', 'anthropic')).toEqual(MISSING);
    expect(await probe('b', 'openai')).toEqual(found('b/openai'));
    cache.clear();
    expect(await probe('b', 'openai')).toEqual(MISSING);
  });

  it('keeps pairs apart even when names contain separators', async () => {
    const cache = new LookupCache(10, new ManualClock());
    await cache.get('org|a', 'b', async () => ({
      lookup: found('first'),
      ttlMs: 1000,
    }));
    expect(
      await cache.get('org', 'a|b', async () => ({
        lookup: MISSING,
        ttlMs: 1000,
      })),
    ).toEqual(MISSING);
  });

  it('forgets a failed load so the next lookup tries again', async () => {
    const cache = new LookupCache(10, new ManualClock());
    await expect(cache.get('org', 'openai', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(
      await cache.get('org', 'openai', async () => ({
        lookup: found('sk-ok'),
        ttlMs: 1000,
      })),
    ).toEqual(found('sk-ok'));
  });
});
