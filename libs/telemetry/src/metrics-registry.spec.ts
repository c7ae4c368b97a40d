import { createMetricsRegistry } from './metrics-registry';

describe('createMetricsRegistry', () => {
  it('collects default process metrics prefixed navplane_', async () => {
    const metrics = createMetricsRegistry();
    const text = await metrics.metrics();
    expect(text).toContain('navplane_process_cpu_user_seconds_total');
    expect(text).toContain('navplane_nodejs_heap_size_used_bytes');
    const names = text
      .split('\n')
      .filter((line) => line.startsWith('# TYPE '))
      .map((line) => line.split(' ')[2]);
    expect(names.length).toBeGreaterThan(5);
    expect(names.every((name) => name?.startsWith('navplane_'))).toBe(true);
    expect(metrics.contentType).toContain('text/plain');
  });

  it('can start empty', async () => {
    expect((await createMetricsRegistry({ collectDefault: false }).metrics()).trim()).toBe('');
  });

  it('creates counters, gauges and histograms on its own registry', async () => {
    const metrics = createMetricsRegistry({ collectDefault: false, defaultLabels: { app: 'gateway' } });
    metrics.counter({ name: 'navplane_requests_total', help: 'Proxied requests', labelNames: ['provider'] }).inc({ provider: 'openai' });
    metrics.gauge({ name: 'navplane_trace_queue_depth', help: 'Queued traces' }).set(3);
    metrics.histogram({ name: 'navplane_request_duration_seconds', help: 'Latency', buckets: [0.1, 1] }).observe(0.05);
    const text = await metrics.metrics();
    expect(text).toContain('navplane_requests_total{provider="openai",app="gateway"} 1');
    expect(text).toContain('navplane_trace_queue_depth{app="gateway"} 3');
    expect(text).toContain('navplane_request_duration_seconds_bucket{le="0.1",app="gateway"} 1');
    expect(await createMetricsRegistry({ collectDefault: false }).metrics()).not.toContain('navplane_requests_total');
  });

  it('returns the existing metric when asked twice', () => {
    const metrics = createMetricsRegistry({ collectDefault: false });
    const first = metrics.counter({ name: 'navplane_traces_dropped_total', help: 'Dropped traces' });
    expect(metrics.counter({ name: 'navplane_traces_dropped_total', help: 'Dropped traces' })).toBe(first);
    expect(() => metrics.gauge({ name: 'navplane_traces_dropped_total', help: 'x' })).toThrow(/another type/);
  });

  it.each([
    ['counter without _total', () => createMetricsRegistry({ collectDefault: false }).counter({ name: 'navplane_requests', help: 'x' })],
    ['missing prefix', () => createMetricsRegistry({ collectDefault: false }).gauge({ name: 'queue_depth', help: 'x' })],
    [
      'camelCase',
      () =>
        createMetricsRegistry({ collectDefault: false }).histogram({
          name: 'navplane_requestSeconds',
          help: 'x',
        }),
    ],
  ])('rejects a %s name', (_name, create) => {
    expect(create).toThrow(/must/);
  });
});
