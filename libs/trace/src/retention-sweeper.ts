import { systemClock, toIso, type Clock } from '@navplane/core';
import type { TraceForksRepository, TracesRepository } from '@navplane/storage';

const DAY_MS = 24 * 3600_000;

/** Options of the retention sweeper. */
export interface RetentionSweeperOptions {
  traces: Pick<TracesRepository, 'deleteOlderThan'>;
  /** Forks are swept with the same cutoff (by creation time); omit to keep them. */
  traceForks?: Pick<TraceForksRepository, 'deleteOlderThan'>;
  /** Traces started more than this many days ago are deleted (must be > 0). */
  retentionDays: number;
  /** Time between sweeps in ms (`NAVPLANE_TRACE_RETENTION_SWEEP_MS`); the first sweep runs one interval after `start()`. */
  intervalMs: number;
  /** Rows per DELETE (default 500): each batch is one short transaction. */
  batchSize?: number;
  /** Pause between batches in ms (default 5), so the trace writer and other writers take turns. */
  pauseMs?: number;
  clock?: Clock;
  /** Told after every sweep that deleted something (never with trace contents). */
  onSwept?: (result: SweepResult) => void;
  /** Told when a sweep fails (it is retried at the next interval). */
  onError?: (error: unknown) => void;
}

/** What one sweep did. */
export interface SweepResult {
  cutoff: string;
  traces: number;
  forks: number;
  ms: number;
}

/** Deletes old traces on a timer, in small batches. */
export interface RetentionSweeper {
  /** Starts the timer (unref'd: it never keeps the process alive). */
  start(): void;
  /** Runs one sweep now (or joins the one running). */
  sweep(): Promise<SweepResult>;
  /** Stops the timer and ends a running sweep after its current batch. */
  close(): Promise<void>;
}

/**
 * The retention sweeper: every `intervalMs`, deletes traces started before now − `retentionDays` (and forks
 * created before it) with `deleteOlderThan` — batches of `batchSize` rows, each its own short statement, with
 * a pause between them, so no long lock is held on either dialect and the trace writer keeps writing.
 */
export function createRetentionSweeper(options: RetentionSweeperOptions): RetentionSweeper {
  if (!(options.retentionDays > 0)) throw new Error('retentionDays must be > 0 (0 disables retention: do not create a sweeper)');
  const clock = options.clock ?? systemClock;
  const { intervalMs } = options;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<SweepResult> | undefined;
  let stopping = false;

  async function run(): Promise<SweepResult> {
    const started = performance.now();
    const cutoff = toIso(clock.nowMs() - options.retentionDays * DAY_MS);
    const traces = await options.traces.deleteOlderThan(cutoff, {
      batchSize: options.batchSize ?? 500,
      pauseMs: options.pauseMs ?? 5,
      shouldStop: () => stopping,
    });
    const forks = stopping ? 0 : ((await options.traceForks?.deleteOlderThan(cutoff, options.batchSize ?? 500)) ?? 0);
    const result = { cutoff, traces, forks, ms: Math.round(performance.now() - started) };
    if (traces + forks > 0) options.onSwept?.(result);
    return result;
  }

  const sweep = (): Promise<SweepResult> => {
    running ??= run().finally(() => {
      running = undefined;
    });
    return running;
  };

  return {
    start() {
      if (timer !== undefined || stopping) return;
      timer = setInterval(() => {
        sweep().catch((error: unknown) => options.onError?.(error));
      }, intervalMs);
      timer.unref();
    },
    sweep,
    async close() {
      stopping = true;
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      await running?.catch(() => undefined);
    },
  };
}
