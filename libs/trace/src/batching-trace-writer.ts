import type { TracesRepository } from '@navplane/storage';
import type { DropReason, TraceRecord, TraceSink, TraceWriterStats } from './trace-sink';

/** Options of the batching writer. */
export interface BatchingTraceWriterOptions {
  /** Where batches go (one INSERT per batch). */
  traces: Pick<TracesRepository, 'insertBatch'>;
  /** Most traces held in memory (`NAVPLANE_TRACE_QUEUE_SIZE`); beyond it traces are dropped and counted. */
  queueSize: number;
  /** Most traces per INSERT (`NAVPLANE_TRACE_BATCH_SIZE`). */
  batchSize: number;
  /** Longest a trace waits before its batch is written, in ms (`NAVPLANE_TRACE_FLUSH_MS`). */
  flushIntervalMs: number;
  /** Attempts per batch before its traces are dropped as `write_failed` (default 3). */
  maxAttempts?: number;
  /** First retry delay; doubles per attempt (default 100 ms). */
  retryBaseMs?: number;
  /** Told about dropped traces and failed writes (never with trace contents). */
  onDrop?: (reason: DropReason, count: number, error?: unknown) => void;
}

/** A TraceSink that batches writes off the request path. */
export interface BatchingTraceWriter extends TraceSink {
  stats(): TraceWriterStats;
  /** Writes everything queued now (awaits in-flight batches too). */
  flush(): Promise<void>;
  /**
   * Stops taking traces and flushes within `deadlineMs` (default 5000); what could not be written is
   * counted as dropped (`shutdown`) and returned.
   */
  close(deadlineMs?: number): Promise<{ written: number; dropped: number }>;
}

/**
 * The bounded, batching trace writer: `enqueue` is O(1) and never awaits storage; a timer or a full
 * batch triggers a write of one multi-row INSERT; one write is in flight at a time.
 */
export function createBatchingTraceWriter(options: BatchingTraceWriterOptions): BatchingTraceWriter {
  const { queueSize, batchSize, flushIntervalMs } = options;
  const maxAttempts = options.maxAttempts ?? 3;
  const retryBaseMs = options.retryBaseMs ?? 100;

  let queue: TraceRecord[] = [];
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> | undefined;
  const stats: TraceWriterStats = {
    enqueued: 0,
    written: 0,
    dropped: { queue_full: 0, write_failed: 0, shutdown: 0 },
    queueDepth: 0,
    highWaterMark: 0,
    batches: 0,
    failedBatches: 0,
    lastBatchMs: 0,
  };

  const drop = (reason: DropReason, count: number, error?: unknown) => {
    if (count === 0) return;
    stats.dropped[reason] += count;
    options.onDrop?.(reason, count, error);
  };

  const schedule = () => {
    if (timer !== undefined || writing !== undefined || queue.length === 0) return;
    if (queue.length >= batchSize) {
      // A full batch goes now, but after the current request's work (never inside enqueue).
      timer = setTimeout(drain, 0);
    } else {
      timer = setTimeout(drain, flushIntervalMs);
    }
    timer.unref();
  };

  function drain(): void {
    timer = undefined;
    if (writing !== undefined || queue.length === 0) return;
    writing = writeAll().finally(() => {
      writing = undefined;
      schedule();
    });
  }

  async function writeAll(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.length <= batchSize ? queue : queue.slice(0, batchSize);
      queue = queue.length <= batchSize ? [] : queue.slice(batchSize);
      stats.queueDepth = queue.length;
      await writeBatch(batch);
      if (!closed && queue.length < batchSize) break; // let the interval gather the next batch
    }
  }

  async function writeBatch(batch: TraceRecord[]): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      const started = performance.now();
      try {
        await options.traces.insertBatch(batch);
        stats.lastBatchMs = performance.now() - started;
        stats.batches += 1;
        stats.written += batch.length;
        return;
      } catch (error) {
        stats.lastBatchMs = performance.now() - started;
        stats.failedBatches += 1;
        if (attempt >= maxAttempts || closed) {
          drop('write_failed', batch.length, error);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, retryBaseMs * 2 ** (attempt - 1)).unref());
      }
    }
  }

  return {
    enqueue(trace) {
      if (closed) {
        drop('shutdown', 1);
        return;
      }
      if (queue.length >= queueSize) {
        drop('queue_full', 1);
        return;
      }
      queue.push(trace);
      stats.enqueued += 1;
      stats.queueDepth = queue.length;
      if (queue.length > stats.highWaterMark) stats.highWaterMark = queue.length;
      schedule();
    },
    stats: () => ({ ...stats, dropped: { ...stats.dropped }, queueDepth: queue.length }),
    async flush() {
      while (writing !== undefined || queue.length > 0) {
        if (timer !== undefined) {
          clearTimeout(timer);
          timer = undefined;
        }
        if (writing === undefined) {
          writing = (async () => {
            while (queue.length > 0) {
              const batch = queue.splice(0, batchSize);
              await writeBatch(batch);
            }
          })().finally(() => {
            writing = undefined;
          });
        }
        await writing;
      }
    },
    async close(deadlineMs = 5000) {
      const writtenBefore = stats.written;
      const droppedBefore = stats.dropped.write_failed;
      const flushing = this.flush();
      let timedOut = false;
      let deadline: NodeJS.Timeout | undefined;
      await Promise.race([
        flushing,
        new Promise<void>((resolve) => {
          deadline = setTimeout(() => {
            timedOut = true;
            resolve();
          }, deadlineMs);
        }),
      ]);
      clearTimeout(deadline);
      closed = true;
      if (timedOut) {
        const left = queue.length;
        queue = [];
        drop('shutdown', left);
      }
      if (timer !== undefined) clearTimeout(timer);
      return {
        written: stats.written - writtenBefore,
        dropped: stats.dropped.shutdown + stats.dropped.write_failed - droppedBefore,
      };
    },
  };
}
