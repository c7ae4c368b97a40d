import { toIso } from '@navplane/core';

/** Options of createLastUsedBatcher. */
export interface LastUsedBatcherOptions {
  /** Writes one id's last use (e.g. `repos.gatewayKeys.touchLastUsed`). */
  touch(id: string, at: string): Promise<void>;
  /** How long uses are collected before one write per id, in ms. */
  intervalMs: number;
  /** Most ids collected between writes; uses of further ids are dropped and counted. */
  maxPending: number;
}

/** Collects "used at" marks in memory and writes them in the background, at most once per id per interval. */
export interface LastUsedBatcher {
  /** Notes that `id` was used at `atMs` (synchronous, no I/O; starts the flush timer if idle). */
  record(id: string, atMs: number): void;
  /** Writes everything collected so far now (failures are swallowed and counted). */
  flush(): Promise<void>;
  /** Stops the timer and writes what is pending. */
  close(): Promise<void>;
  /** Writes that failed (or uses dropped because too many ids were pending) since start. */
  readonly failures: number;
}

/**
 * Keeps `last_used_at` off the request path: uses are recorded in a map and flushed by an unref'd timer
 * every `intervalMs`, one write per id (the latest use), so a busy key costs one UPDATE per interval.
 */
export function createLastUsedBatcher(options: LastUsedBatcherOptions): LastUsedBatcher {
  if (!(options.intervalMs > 0)) throw new Error(`Last-used interval must be positive, got ${options.intervalMs}`);
  let pending = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> = Promise.resolve();
  let failures = 0;
  let closed = false;

  async function writeAll(batch: Map<string, number>): Promise<void> {
    for (const [id, atMs] of batch) {
      try {
        await options.touch(id, toIso(atMs));
      } catch {
        // Bookkeeping only: a failed write must never affect a request; it is counted for /metrics.
        failures += 1;
      }
    }
  }

  function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    pending = new Map();
    // Chained so writes never overlap and flush() resolves only after everything recorded before it is written.
    flushing = flushing.then(() => writeAll(batch));
    return flushing;
  }

  return {
    record(id, atMs) {
      if (closed) return;
      const previous = pending.get(id);
      if (previous === undefined && pending.size >= options.maxPending) {
        failures += 1;
        return;
      }
      if (previous === undefined || atMs > previous) pending.set(id, atMs);
      if (timer === undefined) {
        timer = setTimeout(() => void flush(), options.intervalMs);
        timer.unref();
      }
    },
    flush,
    async close() {
      closed = true;
      await flush();
    },
    get failures() {
      return failures;
    },
  };
}
