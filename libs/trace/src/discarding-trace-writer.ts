import type { BatchingTraceWriter } from './batching-trace-writer';
import type { TraceWriterStats } from './trace-sink';

/**
 * A trace writer that records nothing (`NAVPLANE_TRACE_SINK=none`): `enqueue` only counts, so benchmarks can
 * compare the proxy with tracing on and off. `written` and every drop count stay 0.
 */
export function createDiscardingTraceWriter(): BatchingTraceWriter {
  let enqueued = 0;
  const stats = (): TraceWriterStats => ({
    enqueued,
    written: 0,
    dropped: { queue_full: 0, write_failed: 0, shutdown: 0 },
    queueDepth: 0,
    highWaterMark: 0,
    batches: 0,
    failedBatches: 0,
    lastBatchMs: 0,
  });
  return {
    enqueue() {
      enqueued += 1;
    },
    stats,
    flush: () => Promise.resolve(),
    close: () => Promise.resolve({ written: 0, dropped: 0 }),
  };
}
