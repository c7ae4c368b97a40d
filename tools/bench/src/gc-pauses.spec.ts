import { createMetricsRegistry } from '@navplane/telemetry';
import { gcPausesPer1000 } from './compare';

describe('gcPausesPer1000', () => {
  it('divides each GC kind’s pause seconds by the requests answered, per 1,000 requests', () => {
    const text = [
      '# TYPE navplane_gateway_requests_total counter',
      'navplane_gateway_requests_total{provider="openai",status="200"} 1500',
      'navplane_gateway_requests_total{provider="anthropic",status="200"} 500',
      '# TYPE navplane_nodejs_gc_duration_seconds histogram',
      'navplane_nodejs_gc_duration_seconds_bucket{le="0.001",kind="minor"} 10',
      'navplane_nodejs_gc_duration_seconds_sum{kind="minor"} 0.03',
      'navplane_nodejs_gc_duration_seconds_count{kind="minor"} 12',
      'navplane_nodejs_gc_duration_seconds_sum{kind="major"} 0.002',
    ].join('\n');
    expect(gcPausesPer1000(text)).toBe('minor 15.0 ms, major 1.0 ms');
  });

  it('says unknown without requests or without GC figures', () => {
    expect(gcPausesPer1000('navplane_nodejs_gc_duration_seconds_sum{kind="minor"} 0.03')).toBe('unknown');
    expect(gcPausesPer1000('navplane_gateway_requests_total 10')).toBe('unknown');
  });

  it('reads the GC histogram under the name the gateway’s registry exposes', async () => {
    // The line reads `navplane_nodejs_gc_duration_seconds_sum`: it must be the prefixed default metric of a real
    // registry, or every run would print 'unknown'.
    const text = await createMetricsRegistry().metrics();
    expect(text).toContain('# TYPE navplane_nodejs_gc_duration_seconds histogram');
  });
});
