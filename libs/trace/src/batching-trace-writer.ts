import { isStorageUnavailable, type TracesRepository } from '@navplane/storage';
import type { DropReason, TraceRecord, TraceSink, TraceWriterStats } from './trace-sink';

/** Options of the batching writer. */
export interface BatchingTraceWriterOptions {
  /** Where batches go (one INSERT per batch). */
  traces: Pick<TracesRepository, 'insertBatch'>;
  /** Most traces held in memory (`NAVPLANE_TRACE_QUEUE_SIZE`); beyond it traces are dropped and counted (`queue_full`). */
  queueSize: number;
  /** Most traces per INSERT (`NAVPLANE_TRACE_BATCH_SIZE`). */
  batchSize: number;
  /** Longest a trace waits before its batch is written, in ms (`NAVPLANE_TRACE_FLUSH_MS`). */
  flushIntervalMs: number;
  /**
   * Attempts per batch when the database refuses it for another reason than being unavailable (a bug, bad data),
   * before its traces are dropped as `write_failed` (default 3). While the database is unavailable
   * (`storage_unavailable`) a batch is retried until it is written or the writer is closed.
   */
  maxAttempts?: number;
  /** First retry delay; doubles per attempt (default 100 ms). */
  retryBaseMs?: number;
  /** Longest delay between two attempts (default 5000 ms): how late the writer notices the database is back. */
  maxRetryDelayMs?: number;
  /** Told about dropped traces and failed writes (never with trace contents). */
  onDrop?: (reason: DropReason, count: number, error?: unknown) => void;
  /**
   * Told once when writes start failing because the database is unavailable (`retrying`, with the error) and once
   * when a write succeeds again (`recovered`, with how long it took and how many attempts failed meanwhile).
   */
  onOutage?: (event: TraceOutageEvent) => void;
}

/** The writer's view of a database outage (see BatchingTraceWriterOptions.onOutage). */
export type TraceOutageEvent =
  | { state: 'retrying'; error: unknown; queueDepth: number }
  | { state: 'recovered'; outageMs: number; failedAttempts: number; queueDepth: number };

/** A TraceSink that batches writes off the request path. */
export interface BatchingTraceWriter extends TraceSink {
  stats(): TraceWriterStats;
  /** Writes everything queued now (awaits in-flight batches too; while the database is unavailable, until it is back). */
  flush(): Promise<void>;
  /**
   * Stops taking traces and flushes within `deadlineMs` (default 5000); what could not be written is
   * counted as dropped (`shutdown`) and returned.
   */
  close(deadlineMs?: number): Promise<{ written: number; dropped: number }>;
}

/**
 * The bounded, batching trace writer: `enqueue` is O(1) and never awaits storage; a timer or a full batch triggers a
 * write of one multi-row INSERT; one write is in flight at a time. While the database is unavailable the batch in
 * flight is retried with capped exponential backoff and new traces queue up behind it: traces are lost only when the
 * queue is full (`queue_full`) or when the writer is closed before they could be written (`shutdown`).
 */
export function createBatchingTraceWriter(options: BatchingTraceWriterOptions): BatchingTraceWriter {
  const { queueSize, batchSize, flushIntervalMs } = options;
  const maxAttempts = options.maxAttempts ?? 3;
  const retryBaseMs = options.retryBaseMs ?? 100;
  const maxRetryDelayMs = Math.max(retryBaseMs, options.maxRetryDelayMs ?? 5000);

  let queue: TraceRecord[] = [];
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> | undefined;
  // A failed batch waiting for its next attempt: close() drops it at its deadline instead of waiting.
  let waiting: { count: number; error: unknown; abandon: () => void } | undefined;
  // The database has been unavailable since this time (performance.now()), for `recovered`.
  let outage: { since: number; failedAttempts: number } | undefined;
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

  // Full jitter over the capped exponential delay, so instances that lost the same database do not retry in step.
  const retryDelay = (attempt: number) => {
    const capped = Math.min(maxRetryDelayMs, retryBaseMs * 2 ** Math.min(attempt - 1, 30));
    return capped / 2 + Math.random() * (capped / 2);
  };

  // Waits before the next attempt at `batch`; false when close() dropped the batch meanwhile (its deadline passed).
  const waitToRetry = (batch: readonly TraceRecord[], error: unknown, ms: number) =>
    new Promise<boolean>((resolve) => {
      const sleeping = setTimeout(() => {
        waiting = undefined;
        resolve(true);
      }, ms);
      sleeping.unref();
      waiting = {
        count: batch.length,
        error,
        abandon: () => {
          clearTimeout(sleeping);
          waiting = undefined;
          resolve(false);
        },
      };
    });

  async function writeBatch(batch: TraceRecord[]): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      const started = performance.now();
      try {
        await options.traces.insertBatch(batch);
        stats.lastBatchMs = performance.now() - started;
        stats.batches += 1;
        stats.written += batch.length;
        if (outage !== undefined) {
          const { since, failedAttempts } = outage;
          outage = undefined;
          options.onOutage?.({ state: 'recovered', outageMs: performance.now() - since, failedAttempts, queueDepth: queue.length });
        }
        return;
      } catch (error) {
        stats.lastBatchMs = performance.now() - started;
        stats.failedBatches += 1;
        if (closed) {
          // Closed past its deadline: what is left is lost to the shutdown, whatever the error.
          drop('shutdown', batch.length, error);
          return;
        }
        const unavailable = isStorageUnavailable(error);
        if (unavailable) {
          if (outage === undefined) {
            outage = { since: started, failedAttempts: 0 };
            options.onOutage?.({ state: 'retrying', error, queueDepth: queue.length });
          }
          outage.failedAttempts += 1;
        } else if (attempt >= maxAttempts) {
          drop('write_failed', batch.length, error);
          return;
        }
        if (!(await waitToRetry(batch, error, retryDelay(attempt)))) return;
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
      const droppedBefore = stats.dropped.write_failed + stats.dropped.shutdown;
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
        // A batch waiting for its next attempt is dropped now; one whose INSERT is in flight is counted when it ends.
        if (waiting !== undefined) {
          drop('shutdown', waiting.count, waiting.error);
          waiting.abandon();
        }
      }
      if (timer !== undefined) clearTimeout(timer);
      return {
        written: stats.written - writtenBefore,
        dropped: stats.dropped.shutdown + stats.dropped.write_failed - droppedBefore,
      };
    },
  };
}
