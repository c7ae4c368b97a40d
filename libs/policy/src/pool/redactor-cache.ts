import { createHash } from 'node:crypto';
import { LoadingCache } from '@navplane/core';
import { DETECTOR_IDS } from '../detector-ids';
import { createRedactor, DEFAULT_MAX_DECODE_BYTES, DEFAULT_MAX_DECODE_DEPTH, type Redactor, type RedactorOptions } from '../redactor';

/** Redactors built from their inputs, the least recently used dropped past `maxEntries`. */
export interface RedactorCache {
  /** The redactor for `recipe`, built on first use (throws RangeError on invalid inputs, like createRedactor). */
  get(recipe: RedactorOptions): Redactor;
  readonly size: number;
}

/**
 * A `LoadingCache` of redactors (named `redactors` on `/metrics` by default) keyed by (salt fingerprint,
 * detectors, decode bounds; defaults filled in). The key holds a SHA-256 of the salt, never the salt itself, so a
 * dump of the keys reveals nothing; a rotated salt is a new key, and the old entry ages out.
 */
export function createRedactorCache(maxEntries: number, name = 'redactors'): RedactorCache {
  const redactors = new LoadingCache<string, Redactor>({ name, maxEntries });
  return {
    get(recipe) {
      const fingerprint = createHash('sha256').update(recipe.salt).digest('base64');
      const detectors = (recipe.detectors ?? DETECTOR_IDS).join(',');
      const depth = recipe.maxDecodeDepth ?? DEFAULT_MAX_DECODE_DEPTH;
      const bytes = recipe.maxDecodeBytes ?? DEFAULT_MAX_DECODE_BYTES;
      return redactors.getOrCreate(`${fingerprint}|${detectors}|${depth}|${bytes}`, () => createRedactor(recipe));
    },
    get size() {
      return redactors.size;
    },
  };
}
