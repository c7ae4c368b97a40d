import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

/** An OpenTelemetry signal NavPlane exports. */
export type OtelSignal = 'traces' | 'metrics';

/**
 * What the process hears of export outcomes: every failure is counted (`navplane_otel_export_failures_total`), the
 * first of a run of failures is logged, and the success that ends the run is logged once (docs/observability.md).
 * Nothing here ever reaches a request: exports run in the SDK's batch timers.
 */
export interface ExportFailureListener {
  /** An export failed; `first` is true for the first failure since the last success (log it then, only then). */
  failed(signal: OtelSignal, reason: string, first: boolean): void;
  /** An export succeeded after `failures` failed ones. */
  recovered(signal: OtelSignal, failures: number): void;
}

/** A short reason that names no URL, header or payload: the error's class and, for an HTTP failure, its status. */
export function exportFailureReason(error: unknown): string {
  if (!(error instanceof Error)) return 'export failed';
  const code = (error as { code?: unknown }).code;
  const detail = typeof code === 'number' || typeof code === 'string' ? ` (${String(code)})` : '';
  return `${error.name}${detail}`;
}

class FailureTracker {
  #failures = 0;
  constructor(
    private readonly signal: OtelSignal,
    private readonly listener: ExportFailureListener,
  ) {}

  observe(result: ExportResult): void {
    if (result.code === ExportResultCode.SUCCESS) {
      if (this.#failures > 0) this.listener.recovered(this.signal, this.#failures);
      this.#failures = 0;
      return;
    }
    this.#failures += 1;
    this.listener.failed(this.signal, exportFailureReason(result.error), this.#failures === 1);
  }
}

/** The span exporter `inner`, its outcomes told to `listener`. */
export function observedSpanExporter(inner: SpanExporter, listener: ExportFailureListener): SpanExporter {
  const tracker = new FailureTracker('traces', listener);
  return {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void) {
      inner.export(spans, (result) => {
        tracker.observe(result);
        done(result);
      });
    },
    shutdown: () => inner.shutdown(),
    ...(inner.forceFlush === undefined ? {} : { forceFlush: () => inner.forceFlush?.() ?? Promise.resolve() }),
  };
}

/** The metric exporter `inner` (its temporality and aggregation choices kept), its outcomes told to `listener`. */
export function observedMetricExporter(inner: PushMetricExporter, listener: ExportFailureListener): PushMetricExporter {
  const tracker = new FailureTracker('metrics', listener);
  const observed: PushMetricExporter = {
    export(metrics: ResourceMetrics, done: (result: ExportResult) => void) {
      inner.export(metrics, (result) => {
        tracker.observe(result);
        done(result);
      });
    },
    forceFlush: () => inner.forceFlush(),
    shutdown: () => inner.shutdown(),
  };
  if (inner.selectAggregationTemporality !== undefined) {
    observed.selectAggregationTemporality = inner.selectAggregationTemporality.bind(inner);
  }
  if (inner.selectAggregation !== undefined) observed.selectAggregation = inner.selectAggregation.bind(inner);
  return observed;
}
