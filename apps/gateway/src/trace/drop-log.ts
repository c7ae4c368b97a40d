import type { DropReason } from '@navplane/trace';

/** The logger slice the drop log writes to. */
export interface DropLogger {
  warn(message: string, meta: Record<string, unknown>): void;
}

/** Options of createDropLog. */
export interface DropLogOptions {
  /** Shortest time between two `queue_full` lines, ms (default 10 s). */
  readonly intervalMs?: number;
}

/** The trace writer's `onDrop` as log lines, and the flush of what is held back. */
export interface DropLog {
  readonly onDrop: (reason: DropReason, count: number, error?: unknown) => void;
  /** Logs the `queue_full` drops not logged yet (at shutdown) and stops the timer. */
  flush(): void;
}

/**
 * `traces dropped` log lines that cost nothing when the gateway is overloaded: a full queue drops one trace per request
 * (every request past its capacity), and a line per drop would spend the CPU the requests lack. The first `queue_full`
 * drop is logged at once; the ones that follow are summed and logged once per `intervalMs` while they go on (with the
 * window they cover), and after a quiet window the next drop is logged at once again. `write_failed` and `shutdown`
 * drops come a batch at a time with their error and are logged as they happen. Every drop is counted exactly on
 * `navplane_traces_dropped{reason}` whatever the log says (docs/traces.md).
 */
export function createDropLog(logger: DropLogger, options: DropLogOptions = {}): DropLog {
  const intervalMs = options.intervalMs ?? 10_000;
  let held = 0;
  let timer: NodeJS.Timeout | undefined;

  const logHeld = () => {
    if (held === 0) return false;
    const count = held;
    held = 0;
    logger.warn('traces dropped', { reason: 'queue_full', count, windowMs: intervalMs });
    return true;
  };
  const tick = () => {
    // Drops went on during the window: log them and keep summing; a quiet window ends the summing. A logger that
    // throws still leaves the window state right (the next drop is logged at once).
    timer = undefined;
    if (logHeld()) timer = setTimeout(tick, intervalMs).unref();
  };

  return {
    onDrop(reason, count, error) {
      if (reason !== 'queue_full') {
        logger.warn('traces dropped', { reason, count, err: error });
        return;
      }
      if (timer !== undefined) {
        held += count;
        return;
      }
      logger.warn('traces dropped', { reason, count });
      timer = setTimeout(tick, intervalMs).unref();
    },
    flush() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      logHeld();
    },
  };
}
