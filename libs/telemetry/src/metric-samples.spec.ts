import { createMetricsRegistry } from './metrics-registry';
import { readMetricSamples } from './metric-samples';

describe('readMetricSamples', () => {
  it('reads every series of a metric from a real /metrics body, labels included', async () => {
    const metrics = createMetricsRegistry({ collectDefault: false });
    const dropped = metrics.gauge({ name: 'navplane_test_dropped', help: 'dropped', labelNames: ['reason'] });
    dropped.set({ reason: 'queue_full' }, 3);
    dropped.set({ reason: 'write_failed' }, 0.5);
    metrics.gauge({ name: 'navplane_test_dropped_extra', help: 'a longer name with the same start' }).set(99);
    metrics.gauge({ name: 'navplane_test_depth', help: 'depth' }).set(7);
    const text = await metrics.metrics();

    expect(readMetricSamples(text, 'navplane_test_dropped')).toEqual([
      { labels: { reason: 'queue_full' }, value: 3 },
      { labels: { reason: 'write_failed' }, value: 0.5 },
    ]);
    expect(readMetricSamples(text, 'navplane_test_depth')).toEqual([{ labels: {}, value: 7 }]);
    expect(readMetricSamples(text, 'navplane_absent')).toEqual([]);
  });

  it('unescapes label values, reads several labels and exponents, ignores a timestamp', () => {
    const text = ['# HELP m help', '# TYPE m gauge', 'm{a="x\\"y",b="line\\nnext", c="back\\\\slash"} 1.5e3 1700000000000', 'm 2'].join(
      '\n',
    );
    expect(readMetricSamples(text, 'm')).toEqual([
      { labels: { a: 'x"y', b: 'line\nnext', c: 'back\\slash' }, value: 1500 },
      { labels: {}, value: 2 },
    ]);
  });

  it('skips lines that do not parse instead of guessing', () => {
    const text = ['m{a="unterminated} 1', 'm{a=unquoted} 2', 'm', 'm not-a-number', 'm{a="ok"} 3'].join('\n');
    expect(readMetricSamples(text, 'm')).toEqual([{ labels: { a: 'ok' }, value: 3 }]);
  });
});
