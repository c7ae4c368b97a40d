import { CACHE_EVICTION_REASONS, cacheCountsSnapshot, type CacheCountsSample } from '@navplane/core';
import type { MetricsRegistry } from './metrics-registry';

/**
 * Registers the process's cache counters (every `LoadingCache`, by name), read at scrape time:
 * `navplane_cache_hits_total{cache}`, `navplane_cache_misses_total{cache}` and
 * `navplane_cache_evictions_total{cache,reason}` (reason: capacity, expired, invalidated). `read` is for tests.
 */
export function registerCacheMetrics(metrics: MetricsRegistry, read: () => CacheCountsSample[] = cacheCountsSnapshot): void {
  metrics.counter({
    name: 'navplane_cache_hits_total',
    help: 'Cache lookups answered from memory, by cache',
    labelNames: ['cache'] as const,
    collect() {
      this.reset();
      for (const sample of read()) this.inc({ cache: sample.cache }, sample.hits);
    },
  });
  metrics.counter({
    name: 'navplane_cache_misses_total',
    help: 'Cache lookups that had to load (or found nothing), by cache',
    labelNames: ['cache'] as const,
    collect() {
      this.reset();
      for (const sample of read()) this.inc({ cache: sample.cache }, sample.misses);
    },
  });
  metrics.counter({
    name: 'navplane_cache_evictions_total',
    help: 'Entries that left a cache, by cache and reason (capacity, expired, invalidated)',
    labelNames: ['cache', 'reason'] as const,
    collect() {
      this.reset();
      for (const sample of read()) {
        for (const reason of CACHE_EVICTION_REASONS) this.inc({ cache: sample.cache, reason }, sample.evictions[reason]);
      }
    },
  });
}
