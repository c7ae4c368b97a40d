import type { NewTrace } from '@navplane/storage';

/** One proxied request's record, as the gateway hands it over (docs/traces.md). */
export type TraceRecord = NewTrace;

/**
 * Where the gateway puts traces. `enqueue` never blocks and never throws: when the sink cannot take
 * a trace it drops it and counts the drop.
 */
export interface TraceSink {
  enqueue(trace: TraceRecord): void;
}

/** Why a trace was not written. */
export type DropReason = 'queue_full' | 'write_failed' | 'shutdown';

/** The writer's counters (for /metrics and `navplane doctor`). */
export interface TraceWriterStats {
  enqueued: number;
  written: number;
  dropped: Record<DropReason, number>;
  queueDepth: number;
  /** The deepest the queue has been. */
  highWaterMark: number;
  batches: number;
  failedBatches: number;
  /** Duration of the last batch write in ms (successful or not). */
  lastBatchMs: number;
}
