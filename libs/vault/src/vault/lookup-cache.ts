import { inspect } from 'node:util';
import type { Clock } from '@navplane/core';
import { LruCache } from '../cache/lru-cache';
import type { ProviderKeyLookup } from './vault.types';

interface Cached {
  orgId: string;
  provider: string;
  lookup: ProviderKeyLookup;
}

interface Flight {
  orgId: string;
  provider: string;
  promise: Promise<ProviderKeyLookup>;
  /** Set when an invalidation arrived while loading: the (possibly old) result must not be cached. */
  stale: boolean;
}

/** A load's answer plus how long it may be remembered (0 = not at all). */
export interface LoadedLookup {
  lookup: ProviderKeyLookup;
  ttlMs: number;
}

// JSON keeps (orgId, provider) pairs unambiguous whatever characters they hold: no cross-tenant collisions.
const cacheKey = (orgId: string, provider: string): string => JSON.stringify([orgId, provider]);

/**
 * Lookups by org and provider: a bounded LRU of results plus one in-flight load per pair. An invalidation during a
 * load marks it stale, so a result read before a change is never cached after it.
 */
export class LookupCache {
  readonly #cache: LruCache<Cached>;
  readonly #flights = new Map<string, Flight>();

  constructor(maxEntries: number, clock: Clock) {
    this.#cache = new LruCache<Cached>(maxEntries, clock);
  }

  /** The cached result, or the shared in-flight load, or a new load via `load`. */
  get(orgId: string, provider: string, load: () => Promise<LoadedLookup>): Promise<ProviderKeyLookup> {
    const key = cacheKey(orgId, provider);
    const cached = this.#cache.get(key);
    if (cached !== undefined) return Promise.resolve(cached.lookup);
    const pending = this.#flights.get(key);
    if (pending !== undefined) return pending.promise;

    const settle = () => {
      if (this.#flights.get(key) === flight) this.#flights.delete(key);
    };
    const promise = load().then(
      ({ lookup, ttlMs }) => {
        if (!flight.stale && ttlMs > 0) this.#cache.set(key, { orgId, provider, lookup }, ttlMs);
        settle();
        return lookup;
      },
      (error: unknown) => {
        settle();
        throw error;
      },
    );
    const flight: Flight = { orgId, provider, promise, stale: false };
    this.#flights.set(key, flight);
    return flight.promise;
  }

  /** Forgets the pair (or, without `provider`, every pair of the org), cached or loading. */
  invalidate(orgId: string, provider?: string): void {
    if (provider !== undefined) {
      const key = cacheKey(orgId, provider);
      this.#cache.delete(key);
      this.#abandon(key);
      return;
    }
    this.#cache.deleteWhere((entry) => entry.orgId === orgId);
    for (const [key, flight] of this.#flights) if (flight.orgId === orgId) this.#abandon(key);
  }

  /** Forgets everything, cached or loading. */
  clear(): void {
    this.#cache.clear();
    for (const key of [...this.#flights.keys()]) this.#abandon(key);
  }

  #abandon(key: string): void {
    const flight = this.#flights.get(key);
    if (flight === undefined) return;
    flight.stale = true;
    this.#flights.delete(key);
  }

  toJSON(): { cached: number; loading: number } {
    return { cached: this.#cache.size, loading: this.#flights.size };
  }

  [inspect.custom](): string {
    return `LookupCache ${inspect(this.toJSON())}`;
  }
}
