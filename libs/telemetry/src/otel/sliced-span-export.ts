import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

/** Spans serialised in one go by slicedSpanExporter (an OTLP request each). */
export const SPANS_PER_SLICE = 64;

/**
 * The span exporter `inner`, handed each batch in slices of at most `sliceSize` spans, each in a macrotask of its own
 * and none in the caller's. The SDK's batch processor exports a batch from inside the `span.end()` that fills it, and
 * the OTLP exporter serialises the whole batch there and then: 512 spans (OTEL_BSP_MAX_EXPORT_BATCH_SIZE's default)
 * are milliseconds of one event-loop turn, during which no request is served. In slices, requests that arrive meanwhile
 * are served between them. The batch's result is one: a success when every slice succeeded, else the first failure;
 * `done` is called once, after the last slice.
 */
export function slicedSpanExporter(inner: SpanExporter, sliceSize = SPANS_PER_SLICE): SpanExporter {
  const size = Math.max(1, Math.trunc(sliceSize));
  return {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void) {
      let failure: ExportResult | undefined;
      let next = 0;
      const exportSlice = () => {
        const slice = spans.slice(next, next + size);
        next += size;
        inner.export(slice, (result) => {
          if (result.code !== ExportResultCode.SUCCESS) failure ??= result;
          if (next < spans.length) setImmediate(exportSlice);
          else done(failure ?? result);
        });
      };
      if (spans.length === 0) inner.export(spans, done);
      else setImmediate(exportSlice);
    },
    shutdown: () => inner.shutdown(),
    ...(inner.forceFlush === undefined ? {} : { forceFlush: () => inner.forceFlush?.() ?? Promise.resolve() }),
  };
}
