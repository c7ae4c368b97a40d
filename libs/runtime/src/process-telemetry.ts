import { otelExportSettings, type NavPlaneConfig } from '@navplane/config';
import { startOpenTelemetry, type Logger, type MetricsRegistry, type OpenTelemetry } from '@navplane/telemetry';

/**
 * Starts OpenTelemetry when the OTEL_* settings ask for it (an OTLP endpoint set, OTEL_SDK_DISABLED not true), and
 * logs one line saying so and where (never a header); undefined when it is off (docs/observability.md). A failed
 * export is counted in `navplane_otel_export_failures_total{signal}` and logged once per run of failures, with the
 * recovery logged once too: never thrown, never on a request's path.
 */
export function startProcessTelemetry(config: NavPlaneConfig, logger: Logger, metrics: MetricsRegistry): OpenTelemetry | undefined {
  const settings = otelExportSettings(config);
  if (settings === undefined) return undefined;
  const failures = metrics.counter({
    name: 'navplane_otel_export_failures_total',
    help: 'OpenTelemetry exports (spans, metrics) that failed; the data of a failed export is dropped',
    labelNames: ['signal'] as const,
  });
  const otel = startOpenTelemetry({
    ...settings,
    onExport: {
      failed(signal, reason, first) {
        failures.inc({ signal });
        if (first)
          logger.warn(`OpenTelemetry ${signal} export failing (counted in navplane_otel_export_failures_total): ${reason}`, { signal });
      },
      recovered(signal, count) {
        logger.info(`OpenTelemetry ${signal} export recovered after ${count} failed export(s)`, { signal, failures: count });
      },
    },
  });
  logger.info(otel.describe());
  return otel;
}
