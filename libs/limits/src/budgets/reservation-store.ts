/** One budget a reservation is held against: its key, and the USD left in it once settled spend is taken off. */
export interface ReservationTarget {
  /** The budget period's key (`<orgId>|<scopeKey>|<period>|<start>`). */
  readonly key: string;
  /** The budget (USD). */
  readonly budgetUsd: number;
  /** Settled spend of the period as this process last read it from the database (may lag other instances by ~1 s). */
  readonly spentUsd: number;
  /** When the period ends (ms): a reservation's record is dropped after it at the latest. */
  readonly periodEndMs: number;
}

/** A live reservation's new expiry (ReservationStore.renew). */
export interface RenewedReservation {
  readonly key: string;
  readonly id: string;
  readonly expiresAtMs: number;
}

/** What holding a reservation came to: held everywhere, or refused by the target at `index` (nothing held). */
export type ReserveResult = { readonly ok: true } | { readonly ok: false; readonly index: number; readonly reservedUsd: number };

/**
 * The live reservations of requests in flight, per budget period (docs/limits.md, "Budgets"). A reservation is held
 * against every target at once or against none: refused when, for some target, the sum of live reservations plus
 * `amountUsd` passes its headroom, or the reservations alone already use it up. Each record expires at
 * `expiresAtMs` (so a process that dies holding one does not hold it for ever).
 */
export interface ReservationStore {
  reserve(targets: readonly ReservationTarget[], id: string, amountUsd: number, nowMs: number, expiresAtMs: number): Promise<ReserveResult>;
  /**
   * Drops the reservation `id` from each of `keys` (idempotent) and, in a shared store, raises each key's settled spend
   * to `settledTotals[i]` (the database's period total after this request's settlement; undefined: unknown), so another
   * instance's next reservation sees it without waiting for its own database read.
   */
  release(keys: readonly string[], id: string, settledTotals: ReadonlyArray<number | undefined>): Promise<void>;
  /** The USD reserved now in `key` by requests in flight. */
  reserved(key: string, nowMs: number): Promise<number>;
  /**
   * Moves the expiry of each live reservation `entries[i].id` in `entries[i].key` to its `expiresAtMs` (the caller keeps
   * it within its period's end plus a minute): what the engine does for its requests still in flight, so a request
   * longer than the reservation TTL keeps its hold. A reservation already released or expired stays gone.
   */
  renew(entries: readonly RenewedReservation[]): Promise<void>;
}

/** Rounding slack so that sums of floating-point USD amounts equal to a budget are not refused. */
export const USD_EPSILON = 1e-9;

interface Held {
  readonly amountUsd: number;
  readonly expiresAtMs: number;
}

/** Reservations in this process's memory: each process counts alone (no NAVPLANE_REDIS_URL). */
export function createMemoryReservationStore(): ReservationStore {
  const byKey = new Map<string, Map<string, Held>>();
  const live = (key: string, nowMs: number): number => {
    const held = byKey.get(key);
    if (held === undefined) return 0;
    let sum = 0;
    for (const [id, entry] of held) {
      if (entry.expiresAtMs <= nowMs) held.delete(id);
      else sum += entry.amountUsd;
    }
    if (held.size === 0) byKey.delete(key);
    return sum;
  };
  return {
    reserve(targets, id, amountUsd, nowMs, expiresAtMs) {
      for (const [index, target] of targets.entries()) {
        const reservedUsd = live(target.key, nowMs);
        const headroomUsd = target.budgetUsd - target.spentUsd;
        if (reservedUsd >= headroomUsd - USD_EPSILON || reservedUsd + amountUsd > headroomUsd + USD_EPSILON) {
          return Promise.resolve({ ok: false, index, reservedUsd });
        }
      }
      for (const target of targets) {
        let held = byKey.get(target.key);
        if (held === undefined) byKey.set(target.key, (held = new Map<string, Held>()));
        held.set(id, { amountUsd, expiresAtMs: Math.min(expiresAtMs, target.periodEndMs + 60_000) });
      }
      return Promise.resolve({ ok: true });
    },
    release(keys, id) {
      for (const key of keys) {
        const held = byKey.get(key);
        held?.delete(id);
        if (held?.size === 0) byKey.delete(key);
      }
      return Promise.resolve();
    },
    reserved: (key, nowMs) => Promise.resolve(live(key, nowMs)),
    renew(entries) {
      for (const { key, id, expiresAtMs } of entries) {
        const held = byKey.get(key);
        const entry = held?.get(id);
        if (held !== undefined && entry !== undefined && expiresAtMs > entry.expiresAtMs) held.set(id, { ...entry, expiresAtMs });
      }
      return Promise.resolve();
    },
  };
}
