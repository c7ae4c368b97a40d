/** The source of time; injected so tests can control it. */
export interface Clock {
  /** Milliseconds since the epoch. */
  nowMs(): number;
  /** The current time as a Date. */
  now(): Date;
}

/** The real wall clock. */
export const systemClock: Clock = {
  nowMs: () => Date.now(),
  now: () => new Date(),
};

/** A clock tests move by hand; starts at `startMs` (default: 2026-01-01T00:00:00Z). */
export class ManualClock implements Clock {
  private current: number;

  constructor(startMs: number = Date.UTC(2026, 0, 1)) {
    this.current = startMs;
  }

  nowMs(): number {
    return this.current;
  }

  now(): Date {
    return new Date(this.current);
  }

  /** Moves time forward by `ms`. */
  advance(ms: number): void {
    this.current += ms;
  }

  /** Sets the time to `ms` since the epoch. */
  set(ms: number): void {
    this.current = ms;
  }
}

/** ISO-8601 UTC text of a time (the storage format for timestamps). */
export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}
