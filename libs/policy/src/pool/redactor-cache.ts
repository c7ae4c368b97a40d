import { LoadingCache } from '@navplane/core';
import { DETECTOR_IDS } from '../detector-ids';
import { createRedactor, DEFAULT_MAX_DECODE_BYTES, DEFAULT_MAX_DECODE_DEPTH, type Redactor, type RedactorOptions } from '../redactor';

/** What a cached redactor is built from: `RedactorOptions`, with the salt as bytes or as its base64 text. */
export type RedactorRecipe = Omit<RedactorOptions, 'salt'> & { readonly salt: Uint8Array | string };

/** Redactors built from their inputs, the least recently used dropped past `maxEntries`. */
export interface RedactorCache {
  /**
   * The redactor for `recipe`, built on first use (throws RangeError on invalid inputs, like createRedactor). A salt
   * given as base64 text (as the vault holds it) is decoded only when a redactor is built: a hit costs one string key.
   */
  get(recipe: RedactorRecipe): Redactor;
  readonly size: number;
}

/**
 * A `LoadingCache` of redactors (named `redactors` on `/metrics` by default) keyed by (salt, detectors, decode
 * bounds; defaults filled in). A rotated salt is a new key, and the old entry ages out. The key holds the salt's
 * base64 text: the cache prints and serialises as its shape only, never its keys.
 */
export function createRedactorCache(maxEntries: number, name = 'redactors'): RedactorCache {
  const redactors = new LoadingCache<string, Redactor>({ name, maxEntries });
  return {
    get(recipe) {
      const saltText =
        typeof recipe.salt === 'string'
          ? recipe.salt
          : Buffer.from(recipe.salt.buffer, recipe.salt.byteOffset, recipe.salt.byteLength).toString('base64');
      const detectors = (recipe.detectors ?? DETECTOR_IDS).join(',');
      const depth = recipe.maxDecodeDepth ?? DEFAULT_MAX_DECODE_DEPTH;
      const bytes = recipe.maxDecodeBytes ?? DEFAULT_MAX_DECODE_BYTES;
      return redactors.getOrCreate(`${saltText}|${detectors}|${depth}|${bytes}`, () =>
        createRedactor({ ...recipe, salt: typeof recipe.salt === 'string' ? Buffer.from(recipe.salt, 'base64') : recipe.salt }),
      );
    },
    get size() {
      return redactors.size;
    },
  };
}
