import { inspect } from 'node:util';
import { ManualClock } from '@navplane/core';
import { LruCache } from './lru-cache';

describe('LruCache', () => {
  it('evicts the least recently used entry when full', () => {
    const cache = new LruCache<string>(2, new ManualClock());
    cache.set('a', 'A', 1000);
    cache.set('b', 'B', 1000);
    expect(cache.get('a')).toBe('A'); // a is now the most recently used
    cache.set('c', 'C', 1000);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('A');
    expect(cache.get('c')).toBe('C');
    expect(cache.size).toBe(2);
  });

  it('expires entries after their TTL', () => {
    const clock = new ManualClock();
    const cache = new LruCache<string>(10, clock);
    cache.set('short', 'S', 100);
    cache.set('long', 'L', 10_000);
    clock.advance(99);
    expect(cache.get('short')).toBe('S');
    clock.advance(1);
    expect(cache.get('short')).toBeUndefined();
    expect(cache.get('long')).toBe('L');
  });

  it('holds nothing with size 0 or a TTL of 0', () => {
    const none = new LruCache<string>(0, new ManualClock());
    none.set('a', 'A', 1000);
    expect(none.get('a')).toBeUndefined();
    const some = new LruCache<string>(5, new ManualClock());
    some.set('a', 'A', 0);
    expect(some.get('a')).toBeUndefined();
  });

  it('deletes by value predicate and clears', () => {
    const cache = new LruCache<{ org: string }>(10, new ManualClock());
    cache.set('1', { org: 'x' }, 1000);
    cache.set('2', { org: 'y' }, 1000);
    cache.deleteWhere((value) => value.org === 'x');
    expect(cache.get('1')).toBeUndefined();
    expect(cache.get('2')).toEqual({ org: 'y' });
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('prints and serialises only its size', () => {
    const cache = new LruCache<string>(3, new ManualClock());
    cache.set('k', 'sk-secret-value', 1000);
    expect(inspect(cache, { showHidden: true, depth: 10 })).not.toContain('sk-secret-value');
    expect(JSON.stringify(cache)).toBe('{"size":1,"maxEntries":3}');
  });

  it('rejects a negative or fractional size', () => {
    expect(() => new LruCache(-1, new ManualClock())).toThrow();
    expect(() => new LruCache(1.5, new ManualClock())).toThrow();
  });
});
