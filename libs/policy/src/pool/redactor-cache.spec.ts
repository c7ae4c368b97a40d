import { randomBytes } from 'node:crypto';
import { DETECTOR_IDS } from '../detector-ids';
import { createRedactor } from '../redactor';
import { createRedactorCache } from './redactor-cache';

const recipe = (salt: Uint8Array, detectors = DETECTOR_IDS) => ({ salt, detectors, maxDecodeDepth: 2, maxDecodeBytes: 65_536 });

describe('createRedactorCache', () => {
  it('builds a redactor once per (salt, detectors, decode bounds), placeholders as createRedactor makes them', () => {
    const cache = createRedactorCache(4);
    const salt = randomBytes(32);
    const built = cache.get(recipe(salt));
    expect(cache.get(recipe(Uint8Array.from(salt)))).toBe(built); // same bytes, another array
    expect(cache.get(recipe(salt, ['email']))).not.toBe(built);
    expect(cache.get({ ...recipe(salt), maxDecodeDepth: 1 })).not.toBe(built);
    expect(cache.get(recipe(randomBytes(32)))).not.toBe(built);
    expect(built.redactText('mail jane.doe@example.com').text).toBe(createRedactor({ salt }).redactText('mail jane.doe@example.com').text);
  });

  it('takes the salt as base64 text too: the same redactor as its bytes, decoded only to build it', () => {
    const cache = createRedactorCache(4);
    const salt = randomBytes(32);
    const built = cache.get(recipe(salt));
    expect(cache.get({ ...recipe(salt), salt: salt.toString('base64') })).toBe(built);
    expect(cache.size).toBe(1);
    const fromText = createRedactorCache(4).get({ salt: salt.toString('base64') });
    expect(fromText.redactText('mail jane.doe@example.com').text).toBe(
      createRedactor({ salt }).redactText('mail jane.doe@example.com').text,
    );
    expect(() => createRedactorCache(4).get({ salt: randomBytes(8).toString('base64') })).toThrow(RangeError);
  });

  it('keeps at most maxEntries, dropping the least recently used', () => {
    const cache = createRedactorCache(2);
    const [a, b, c] = [randomBytes(32), randomBytes(32), randomBytes(32)];
    const first = cache.get(recipe(a));
    cache.get(recipe(b));
    expect(cache.get(recipe(a))).toBe(first); // a is now the most recent
    cache.get(recipe(c)); // evicts b
    expect(cache.size).toBe(2);
    expect(cache.get(recipe(a))).toBe(first);
    const again = cache.get(recipe(b));
    expect(again).not.toBe(first);
  });

  it('fills in the defaults, so a recipe that leaves them out shares the redactor of one that spells them out', () => {
    const cache = createRedactorCache(4);
    const salt = randomBytes(32);
    const built = cache.get({ salt });
    expect(cache.get(recipe(salt))).toBe(built);
    expect(cache.get({ salt, detectors: ['email'] })).toBe(cache.get(recipe(salt, ['email'])));
    expect(cache.size).toBe(2);
  });

  it('throws createRedactor’s RangeError on a bad recipe, without the salt in it', () => {
    const cache = createRedactorCache(2);
    const short = randomBytes(8);
    expect(() => cache.get(recipe(short))).toThrow(RangeError);
    try {
      cache.get(recipe(short));
    } catch (error) {
      expect(String(error)).not.toContain(short.toString('hex'));
    }
  });
});
