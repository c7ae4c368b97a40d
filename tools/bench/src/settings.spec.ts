import { partsToRun, readSettings } from './settings';

describe('readSettings', () => {
  it('has the documented defaults', () => {
    const settings = readSettings({});
    expect(settings).toMatchObject({
      seconds: 8,
      rate: 200,
      rounds: 2,
      runs: 3,
      proxyCore: '1',
      otherCore: '0',
      tracingRate: 200,
      tracingSeconds: 30,
      sliceSeconds: 2,
      settleMs: 250,
      soakSeconds: 600,
      soakRate: 300,
      soakSampleSeconds: 10,
      skip: [],
    });
    expect([...settings.only]).toEqual(['bare', 'express', 'gateway', 'routed']);
    expect(settings.gatewayNodeArgs).toEqual(['--max-semi-space-size=32']);
    expect(partsToRun(settings)).toEqual(['compare', 'tracing', 'otel', 'limits', 'soak']);
    expect([settings.otelSeconds, settings.otelRuns]).toEqual([20, 3]);
    expect([settings.limitsSeconds, settings.limitsRuns, settings.redisUrl]).toEqual([10, 3, 'redis://127.0.0.1:6379']);
    expect(settings.featureRounds).toBe(2);
  });

  it('runs tracing at BENCH_RATE unless BENCH_TRACING_RATE is set', () => {
    expect(readSettings({ BENCH_RATE: '300' }).tracingRate).toBe(300);
    expect(readSettings({ BENCH_RATE: '300', BENCH_TRACING_RATE: '500' }).tracingRate).toBe(500);
  });

  it('skips the parts of BENCH_CHECK_SKIP', () => {
    expect(partsToRun(readSettings({ BENCH_CHECK_SKIP: 'soak,tracing' }))).toEqual(['compare', 'otel', 'limits']);
    expect(partsToRun(readSettings({ BENCH_CHECK_SKIP: 'compare,tracing,otel,soak' }))).toEqual(['limits']);
  });

  it('reads the limits part from BENCH_LIMITS_SECONDS, BENCH_LIMITS_RUNS and BENCH_REDIS_URL', () => {
    const settings = readSettings({ BENCH_LIMITS_SECONDS: '6', BENCH_LIMITS_RUNS: '1', BENCH_REDIS_URL: 'redis://10.0.0.2:6380' });
    expect([settings.limitsSeconds, settings.limitsRuns, settings.redisUrl]).toEqual([6, 1, 'redis://10.0.0.2:6380']);
    expect(() => readSettings({ BENCH_LIMITS_RUNS: '0' })).toThrow(/BENCH_LIMITS_RUNS/);
  });

  it('rejects a value that is not a positive number rather than using a default', () => {
    expect(() => readSettings({ BENCH_RUNS: 'three' })).toThrow(/BENCH_RUNS/);
    expect(() => readSettings({ BENCH_SECONDS: '0' })).toThrow(/BENCH_SECONDS/);
    expect(readSettings({ BENCH_SETTLE_MS: '0' }).settleMs).toBe(0);
    expect(() => readSettings({ BENCH_SOAK_SECONDS: '15' })).toThrow(/BENCH_SOAK_SECONDS/);
    expect(() => readSettings({ BENCH_FEATURE_ROUNDS: 'two' })).toThrow(/BENCH_FEATURE_ROUNDS/);
    expect(readSettings({ BENCH_FEATURE_ROUNDS: '3' }).featureRounds).toBe(3);
  });

  it('always runs the gateway and rejects an unknown target', () => {
    expect(() => readSettings({ BENCH_ONLY: 'direct,bare' })).toThrow(/gateway/);
    expect(() => readSettings({ BENCH_ONLY: 'direct,gatway' })).toThrow(/unknown target gatway/);
    expect([...readSettings({ BENCH_ONLY: 'gateway,bare' }).only]).toEqual(['bare', 'gateway']);
  });
});
