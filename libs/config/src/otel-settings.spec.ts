import { configWithDefaults, loadConfig } from './load-config';
import { otelExportSettings } from './otel-settings';

const loaded = (env: Record<string, string>) => {
  const result = loadConfig(env);
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value;
};

describe('otelExportSettings (docs/observability.md)', () => {
  it('is off without an OTLP endpoint', () => {
    expect(otelExportSettings(configWithDefaults())).toBeUndefined();
    expect(otelExportSettings(loaded({ OTEL_SERVICE_NAME: 'x', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }))).toBeUndefined();
  });

  it('is off with OTEL_SDK_DISABLED=true, endpoint or not', () => {
    expect(otelExportSettings(loaded({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' }))).toBeUndefined();
  });

  it('appends the signal paths to the generic endpoint, with its protocol and headers', () => {
    const settings = otelExportSettings(
      loaded({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/', OTEL_EXPORTER_OTLP_HEADERS: 'a=1' }),
    );
    expect(settings?.traces).toEqual({ url: 'http://collector:4318/v1/traces', protocol: 'http/protobuf', headers: { a: '1' } });
    expect(settings?.metrics).toEqual({ url: 'http://collector:4318/v1/metrics', protocol: 'http/protobuf', headers: { a: '1' } });
    expect(settings?.serviceName).toBe('navplane');
  });

  it('takes signal endpoints as they are, signal protocols and headers over the generic ones', () => {
    const settings = otelExportSettings(
      loaded({
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:9000/otlp',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_HEADERS: 'a=1,b=2',
        OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'b=3',
      }),
    );
    expect(settings?.traces).toEqual({ url: 'http://traces:9000/otlp', protocol: 'http/json', headers: { a: '1', b: '3' } });
    expect(settings?.metrics).toBeUndefined();
  });

  it('bounds the export batch by the queue, and carries the intervals', () => {
    const settings = otelExportSettings(
      loaded({
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://m:1/v1/metrics',
        OTEL_BSP_MAX_QUEUE_SIZE: '100',
        OTEL_METRIC_EXPORT_INTERVAL: '1000',
      }),
    );
    expect(settings?.spanBatch.maxExportBatchSize).toBe(100);
    expect(settings?.metricExport.intervalMillis).toBe(1000);
    expect(settings?.traces).toBeUndefined();
  });

  it('never shows the headers in a problem', () => {
    const result = loadConfig({ OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20secret-token,broken' });
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain('secret-token');
  });
});
