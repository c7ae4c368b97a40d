/** Why an entry left a cache: its bound was reached (`capacity`), its time to live ran out (`expired`), or it was dropped on purpose (`invalidated`: a change event, a failed reload, a clear). */
export type CacheEvictionReason = 'capacity' | 'expired' | 'invalidated';

/** What a cache counted: lookups answered from memory (`hits`) or not (`misses`), and entries that left it. */
export interface CacheCounts {
  hits: number;
  misses: number;
  readonly evictions: Record<CacheEvictionReason, number>;
}

/** One named cache's counts for the process, as the metrics read them. */
export interface CacheCountsSample {
  /** The cache's name (the `cache` label of `navplane_cache_*`). */
  readonly cache: string;
  readonly hits: number;
  readonly misses: number;
  readonly evictions: Readonly<Record<CacheEvictionReason, number>>;
}

/** Every eviction reason, in the order the metrics list them. */
export const CACHE_EVICTION_REASONS: readonly CacheEvictionReason[] = Object.freeze(['capacity', 'expired', 'invalidated']);

export const emptyCounts = (): CacheCounts => ({ hits: 0, misses: 0, evictions: { capacity: 0, expired: 0, invalidated: 0 } });

// Per name for the whole process (one thread): counters only grow, like the Prometheus counters read from them,
// so two caches of one name (the gateway's and the admin API's key verifiers in `navplane serve`) add up.
const processCounts = new Map<string, CacheCounts>();

/** The process-wide counts of the caches named `name` (created at zero on first use). */
export function processCacheCounts(name: string): CacheCounts {
  let counts = processCounts.get(name);
  if (counts === undefined) {
    counts = emptyCounts();
    processCounts.set(name, counts);
  }
  return counts;
}

/**
 * A copy of every named cache's counts since the process (or worker thread) started, by name: what
 * `navplane_cache_hits_total`, `navplane_cache_misses_total` and `navplane_cache_evictions_total` report.
 */
export function cacheCountsSnapshot(): CacheCountsSample[] {
  return [...processCounts].map(([cache, counts]) => ({
    cache,
    hits: counts.hits,
    misses: counts.misses,
    evictions: { ...counts.evictions },
  }));
}

/** What a live cache holds now, for the diagnostics report (`GET /admin/diagnostics`). */
export interface CacheSizeSource {
  readonly size: number;
  readonly maxEntries: number;
}

/** One cache name's live instances in the process (or worker thread), added up. */
export interface CacheSizesSample {
  /** The cache's name (as in CacheCountsSample). */
  readonly cache: string;
  /** Instances of that name alive and not closed (`navplane serve` runs a key verifier per app, for example). */
  readonly instances: number;
  /** Keys they hold together. */
  readonly size: number;
  /** Their bounds, added up. */
  readonly maxEntries: number;
}

// Weak: a cache nobody closed is still forgotten once it is garbage. Pruned of dead references on every snapshot.
const liveCaches = new Map<string, Set<WeakRef<CacheSizeSource>>>();

/** Counts `source` among the live caches named `name` until the returned function is called (at close). */
export function registerLiveCache(name: string, source: CacheSizeSource): () => void {
  let set = liveCaches.get(name);
  if (set === undefined) {
    set = new Set();
    liveCaches.set(name, set);
  }
  const ref = new WeakRef(source);
  set.add(ref);
  return () => {
    set.delete(ref);
  };
}

/** What the live caches of each name hold now, by name (names with no live instance are left out). */
export function cacheSizesSnapshot(): CacheSizesSample[] {
  const samples: CacheSizesSample[] = [];
  for (const [cache, refs] of liveCaches) {
    let instances = 0;
    let size = 0;
    let maxEntries = 0;
    for (const ref of refs) {
      const source = ref.deref();
      if (source === undefined) {
        refs.delete(ref);
        continue;
      }
      instances += 1;
      size += source.size;
      maxEntries += source.maxEntries;
    }
    if (instances > 0) samples.push({ cache, instances, size, maxEntries });
  }
  return samples;
}
