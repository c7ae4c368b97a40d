import { createHash } from 'node:crypto';
import type { EngineSettings } from '../engine/redaction-engine';
import { createRedactor, type Redactor } from '../redactor';

/** Redactors built from their inputs, the least recently used dropped past `maxEntries`. */
export interface RedactorCache {
  /** The redactor for `recipe`, built on first use (throws RangeError on invalid inputs, like createRedactor). */
  get(recipe: EngineSettings): Redactor;
  readonly size: number;
}

/**
 * A small LRU of redactors keyed by (salt fingerprint, detectors, decode bounds). The key holds a SHA-256 of the
 * salt, never the salt itself, so a dump of the keys reveals nothing; a rotated salt is a new key, and the old
 * entry ages out.
 */
export function createRedactorCache(maxEntries: number): RedactorCache {
  const entries = new Map<string, Redactor>();
  return {
    get(recipe) {
      const fingerprint = createHash('sha256').update(recipe.salt).digest('base64');
      const key = `${fingerprint}|${recipe.detectors.join(',')}|${recipe.maxDecodeDepth}|${recipe.maxDecodeBytes}`;
      const cached = entries.get(key);
      if (cached !== undefined) {
        entries.delete(key); // re-inserted: most recently used last
        entries.set(key, cached);
        return cached;
      }
      const redactor = createRedactor(recipe);
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
      entries.set(key, redactor);
      return redactor;
    },
    get size() {
      return entries.size;
    },
  };
}
