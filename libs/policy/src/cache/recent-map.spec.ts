import { expect } from '@jest/globals';
import { RecentMap } from './recent-map';

describe('RecentMap', () => {
  it('answers what was set, and nothing for what was not', () => {
    const map = new RecentMap<string, number>(4);
    map.set('a', 1);
    expect(map.get('a')).toBe(1);
    expect(map.get('b')).toBeUndefined();
  });

  it('keeps the previous generation when the current one fills, and drops the one before', () => {
    const map = new RecentMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.set('c', 3); // a, b become the previous generation
    expect(map.get('c')).toBe(3);
    map.set('d', 4);
    map.set('e', 5); // c, d become the previous generation; a and b are gone (b was not read back)
    expect(map.get('a')).toBeUndefined();
    expect(map.get('b')).toBeUndefined();
    expect(map.get('d')).toBe(4);
  });

  it('moves an entry read from the previous generation back, so a key in use survives', () => {
    const map = new RecentMap<string, number>(2);
    map.set('hot', 1);
    map.set('x', 2);
    for (let i = 0; i < 50; i++) {
      map.set(`cold-${i}`, i);
      expect(map.get('hot')).toBe(1);
    }
  });

  it('never holds more than twice its capacity', () => {
    const map = new RecentMap<number, number>(3);
    for (let i = 0; i < 100; i++) map.set(i, i);
    const held = Array.from({ length: 100 }, (_, i) => map.get(i)).filter((v) => v !== undefined);
    expect(held.length).toBeLessThanOrEqual(6);
    expect(held).toContain(99);
  });
});
