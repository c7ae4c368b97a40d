import { BUCKET_MS, msUntilEmpty, msUntilRoom, WINDOW_BUCKETS, type WindowState } from './counter-store';

/**
 * A rolling 60 s window of 1 s buckets in this process: a ring of 60 slots, each holding the bucket (second) it counts
 * and its amount. What it holds is the sum of the slots whose bucket is one of the last 60 seconds.
 */
export class SlidingWindow {
  readonly #buckets = new Array<number>(WINDOW_BUCKETS).fill(-1);
  readonly #amounts = new Array<number>(WINDOW_BUCKETS).fill(0);
  #newest: number | undefined;

  /** The amount in the window at `nowMs`, with its non-empty buckets oldest first. */
  read(nowMs: number): { used: number; buckets: Array<[number, number]> } {
    const current = Math.floor(nowMs / BUCKET_MS);
    const buckets: Array<[number, number]> = [];
    let used = 0;
    for (let bucket = current - WINDOW_BUCKETS + 1; bucket <= current; bucket += 1) {
      const slot = bucket % WINDOW_BUCKETS;
      const amount = this.#amounts[slot] ?? 0;
      if (this.#buckets[slot] === bucket && amount > 0) {
        used += amount;
        buckets.push([bucket, amount]);
      }
    }
    return { used, buckets };
  }

  /** Adds `amount` to the bucket of `nowMs`. */
  add(nowMs: number, amount: number): void {
    const current = Math.floor(nowMs / BUCKET_MS);
    const slot = current % WINDOW_BUCKETS;
    if (this.#buckets[slot] !== current) {
      this.#buckets[slot] = current;
      this.#amounts[slot] = 0;
    }
    this.#amounts[slot] = (this.#amounts[slot] ?? 0) + amount;
    this.#newest = current;
  }

  /** True when nothing counted is left in the window at `nowMs` (the window may be forgotten). */
  idle(nowMs: number): boolean {
    return this.#newest === undefined || msUntilEmpty(this.#newest, nowMs) === 0;
  }

  /** ms until `limit` has room again, given the window read at `nowMs` (used ≥ limit). */
  static retryAfter(read: { used: number; buckets: ReadonlyArray<readonly [number, number]> }, limit: number, nowMs: number): number {
    return msUntilRoom(read.buckets, read.used, limit, nowMs);
  }

  /** The window's state for the headers, after what was counted at `nowMs`. */
  state(limit: number, nowMs: number): WindowState {
    const { used } = this.read(nowMs);
    return { limit, remaining: Math.max(0, limit - used), resetMs: msUntilEmpty(this.#newest, nowMs) };
  }
}
