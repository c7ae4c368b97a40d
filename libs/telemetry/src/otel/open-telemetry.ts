import type { Histogram, Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPMetricExporter as OTLPJsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as OTLPProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as OTLPJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { observedMetricExporter, observedSpanExporter, type ExportFailureListener } from './export-failures';
import { slicedSpanExporter } from './sliced-span-export';
import { ATTR, DURATION_BUCKETS, METRIC, TOKEN_USAGE_BUCKETS } from './gen-ai-conventions';

/** An OTLP transport. */
export type OtlpTransport = 'http/protobuf' | 'http/json';

/** Where one signal goes. */
export interface OtlpSignalOptions {
  readonly url: string;
  readonly protocol: OtlpTransport;
  /** Sent with every export (a collector token…): never logged or shown. */
  readonly headers: Readonly<Record<string, string>>;
}

/** What startOpenTelemetry exports where (the OTEL_* settings, `otelExportSettings` of `@navplane/config`). */
export interface OpenTelemetryOptions {
  readonly traces?: OtlpSignalOptions;
  readonly metrics?: OtlpSignalOptions;
  readonly serviceName: string;
  readonly resourceAttributes: Readonly<Record<string, string>>;
  /** The batch span processor: OTEL_BSP_SCHEDULE_DELAY, _EXPORT_TIMEOUT, _MAX_QUEUE_SIZE, _MAX_EXPORT_BATCH_SIZE. */
  readonly spanBatch: {
    readonly scheduledDelayMillis: number;
    readonly exportTimeoutMillis: number;
    readonly maxQueueSize: number;
    readonly maxExportBatchSize: number;
  };
  /** OTEL_METRIC_EXPORT_INTERVAL and OTEL_METRIC_EXPORT_TIMEOUT (bounded by the interval). */
  readonly metricExport: { readonly intervalMillis: number; readonly timeoutMillis: number };
  /** Told of failed exports (counted, logged once per run of failures) and of recoveries. */
  readonly onExport: ExportFailureListener;
}

/** The GenAI metric instruments (docs/observability.md, "Metrics"). */
export interface GenAiInstruments {
  /** `gen_ai.client.token.usage` ({token}): per answered upstream attempt and token type. */
  readonly tokenUsage: Histogram;
  /** `gen_ai.client.operation.duration` (s): per upstream attempt. */
  readonly clientOperationDuration: Histogram;
  /** `gen_ai.server.request.duration` (s): per gateway request. */
  readonly serverRequestDuration: Histogram;
}

/** A running OpenTelemetry SDK: what the gateway records spans and metrics with, and its shutdown. */
export interface OpenTelemetry {
  /** Spans (undefined when only metrics are exported). */
  readonly tracer?: Tracer;
  /** The GenAI metrics (undefined when only traces are exported). */
  readonly genAi?: GenAiInstruments;
  /** W3C Trace Context: reads `traceparent`/`tracestate` from a request, writes them onto an upstream one. */
  readonly propagator: W3CTraceContextPropagator;
  /** One line for the start-up log: on, where each signal goes and how; never a header or URL credentials. */
  describe(): string;
  /** Exports what is queued (spans, metrics); resolves when done. */
  forceFlush(): Promise<void>;
  /** Flushes, then stops exporting (graceful shutdown). Idempotent. */
  shutdown(): Promise<void>;
}

/** A URL as the start-up line shows it: scheme, host, port and path; no credentials, no query. */
export function showEndpoint(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

const INSTRUMENTATION_SCOPE = '@navplane/gateway';

/**
 * Starts the OpenTelemetry SDK NavPlane exports with, explicitly (no global provider is registered, no
 * auto-instrumentation): a tracer provider with a batch span processor and an OTLP/HTTP span exporter, and a meter
 * provider with a periodic reader and an OTLP/HTTP metric exporter, each only for a signal that has an endpoint.
 * Exports never run on a request's path; their failures go to `onExport`, never to a request.
 */
export function createOpenTelemetry(options: OpenTelemetryOptions): OpenTelemetry {
  const resource = defaultResource().merge(
    resourceFromAttributes({ ...options.resourceAttributes, [ATTR.serviceName]: options.serviceName }),
  );

  let tracerProvider: TracerProvider | undefined;
  if (options.traces !== undefined) {
    const config = { url: options.traces.url, headers: { ...options.traces.headers } };
    const exporter = options.traces.protocol === 'http/json' ? new OTLPJsonTraceExporter(config) : new OTLPProtoTraceExporter(config);
    tracerProvider = new TracerProvider({
      resource,
      // Exported in slices of 64 spans, each in its own loop turn, never inside the `span.end()` that fills a batch.
      spanProcessors: [
        new BatchSpanProcessor({ ...options.spanBatch, exporter: slicedSpanExporter(observedSpanExporter(exporter, options.onExport)) }),
      ],
    });
  }

  let meterProvider: MeterProvider | undefined;
  let genAi: GenAiInstruments | undefined;
  if (options.metrics !== undefined) {
    const config = { url: options.metrics.url, headers: { ...options.metrics.headers } };
    const exporter = options.metrics.protocol === 'http/json' ? new OTLPJsonMetricExporter(config) : new OTLPProtoMetricExporter(config);
    const { intervalMillis, timeoutMillis } = options.metricExport;
    meterProvider = new MeterProvider({
      resource,
      readers: [
        new PeriodicExportingMetricReader({
          exporter: observedMetricExporter(exporter, options.onExport),
          exportIntervalMillis: intervalMillis,
          // The reader refuses a timeout longer than its interval.
          exportTimeoutMillis: Math.min(timeoutMillis, intervalMillis),
        }),
      ],
    });
    const meter = meterProvider.getMeter(INSTRUMENTATION_SCOPE);
    genAi = {
      tokenUsage: meter.createHistogram(METRIC.clientTokenUsage, {
        unit: '{token}',
        description: 'Number of input and output tokens used',
        advice: { explicitBucketBoundaries: [...TOKEN_USAGE_BUCKETS] },
      }),
      clientOperationDuration: meter.createHistogram(METRIC.clientOperationDuration, {
        unit: 's',
        description: 'GenAI operation duration',
        advice: { explicitBucketBoundaries: [...DURATION_BUCKETS] },
      }),
      serverRequestDuration: meter.createHistogram(METRIC.serverRequestDuration, {
        unit: 's',
        description: 'Generative AI server request duration such as time-to-last byte or last output token',
        advice: { explicitBucketBoundaries: [...DURATION_BUCKETS] },
      }),
    };
  }

  const signals = [
    options.traces === undefined ? undefined : `traces to ${showEndpoint(options.traces.url)} (${options.traces.protocol})`,
    options.metrics === undefined ? undefined : `metrics to ${showEndpoint(options.metrics.url)} (${options.metrics.protocol})`,
  ].filter((text) => text !== undefined);
  let stopping: Promise<void> | undefined;
  return {
    ...(tracerProvider === undefined ? {} : { tracer: tracerProvider.getTracer(INSTRUMENTATION_SCOPE) }),
    ...(genAi === undefined ? {} : { genAi }),
    propagator: new W3CTraceContextPropagator(),
    describe: () => `OpenTelemetry on: ${signals.join(', ')}; service.name=${options.serviceName}`,
    forceFlush: async () => {
      await Promise.all([tracerProvider?.forceFlush(), meterProvider?.forceFlush()]);
    },
    shutdown: () => {
      stopping ??= Promise.all([tracerProvider?.shutdown(), meterProvider?.shutdown()]).then(() => undefined);
      return stopping;
    },
  };
}
