import { LoadingCache, ManualClock } from '@navplane/core';
import { registerCacheMetrics } from './cache-metrics';
import { createMetricsRegistry } from './metrics-registry';

describe('registerCacheMetrics', () => {
  it('exports every cache’s hits, misses and evictions by name, read at scrape time', async () => {
    const metrics = createMetricsRegistry({ collectDefault: false });
    registerCacheMetrics(metrics);
    const clock = new ManualClock();
    const cache = new LoadingCache<string, string>({
      name: 'telemetry_spec',
      maxEntries: 1,
      ttlMs: 10,
      clock,
      load: (key) => Promise.resolve(key),
    });
    await cache.get('a'); // miss
    await cache.get('a'); // hit
    await cache.get('b'); // miss, evicts a
    clock.advance(10);
    cache.peek('b'); // miss, expired
    cache.set('c', 'c');
    cache.invalidate('c');

    const text = await metrics.metrics();
    expect(text).toContain('# TYPE navplane_cache_hits_total counter');
    expect(text).toContain('navplane_cache_hits_total{cache="telemetry_spec"} 1');
    expect(text).toContain('navplane_cache_misses_total{cache="telemetry_spec"} 3');
    expect(text).toContain('navplane_cache_evictions_total{cache="telemetry_spec",reason="capacity"} 1');
    expect(text).toContain('navplane_cache_evictions_total{cache="telemetry_spec",reason="expired"} 1');
    expect(text).toContain('navplane_cache_evictions_total{cache="telemetry_spec",reason="invalidated"} 1');

    await cache.get('d');
    expect(await metrics.metrics()).toContain('navplane_cache_misses_total{cache="telemetry_spec"} 4');
  });

  it('shows a cache that counted nothing yet at zero', async () => {
    const metrics = createMetricsRegistry({ collectDefault: false });
    registerCacheMetrics(metrics, () => [{ cache: 'idle', hits: 0, misses: 0, evictions: { capacity: 0, expired: 0, invalidated: 0 } }]);
    const text = await metrics.metrics();
    expect(text).toContain('navplane_cache_hits_total{cache="idle"} 0');
    expect(text).toContain('navplane_cache_evictions_total{cache="idle",reason="expired"} 0');
  });
});
