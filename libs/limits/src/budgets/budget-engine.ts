import { randomUUID } from 'node:crypto';
import { AppError, systemClock, type Clock } from '@navplane/core';
import type { BudgetPeriodKey, BudgetsRepository } from '@navplane/storage';
import type { Redis } from 'ioredis';
import {
  limitsFor,
  scopeKey as scopeKeyOf,
  type Budget,
  type BudgetAlerts,
  type LimitDocument,
  type LimitScope,
  type LimitSource,
  type LimitSubject,
} from '../limit-document';
import { periodWindow, type PeriodWindow } from './budget-period';
import type { ReservationEstimate } from './estimate-cost';
import { createRedisReservationStore } from './redis-reservation-store';
import {
  createMemoryReservationStore,
  USD_EPSILON,
  type RenewedReservation,
  type ReservationStore,
  type ReservationTarget,
  type ReserveResult,
} from './reservation-store';

/** A budget that covers a request: its scope, the budget and its alerts. */
export interface ApplicableBudget {
  readonly scopeKey: string;
  readonly scope: LimitScope;
  readonly budget: Budget;
  readonly alerts?: BudgetAlerts;
}

/** One budget period a reservation holds. */
export interface BudgetHold extends ApplicableBudget {
  readonly window: PeriodWindow;
  /** `<orgId>|<scopeKey>|<period>|<start>`. */
  readonly key: string;
}

/** A request's reservation: what it holds until it is settled (once). */
export interface BudgetReservation {
  readonly id: string;
  readonly orgId: string;
  /** USD held (0 for an unpriced model). */
  readonly amountUsd: number;
  readonly priced: boolean;
  readonly holds: readonly BudgetHold[];
}

/** A request's real cost as its trace prices it (docs/traces.md): `unknown` when it could not be priced. */
export interface SettledCost {
  readonly status: 'exact' | 'estimated' | 'unknown';
  readonly usd: number | null;
}

/** What a reservation settles when its request went nowhere (refused, or billed per response elsewhere): nothing. */
export const NOTHING_SPENT: SettledCost = Object.freeze({ status: 'exact', usd: 0 });

/** Spend settled into a budget period: what the alerts compare to their thresholds. */
export interface SpendSettled {
  readonly orgId: string;
  readonly hold: BudgetHold;
  /** Settled spend of the period before and after this request (other instances' settlements included). */
  readonly beforeUsd: number;
  readonly afterUsd: number;
}

/** A budget's state in its current period (usage answers, docs/admin-api.md). */
export interface BudgetStatus {
  readonly scope: LimitScope;
  readonly usd: number;
  readonly period: Budget['period'];
  readonly periodStart: string;
  /** ISO time the period ends (the next one starts). */
  readonly resetsAt: string;
  readonly spentUsd: number;
  /** Held by requests in flight (this process's, or every instance's with Redis). */
  readonly reservedUsd: number;
  /** `usd - spentUsd - reservedUsd`, never below 0. */
  readonly remainingUsd: number;
  /** Requests of unpriced models settled in the period (not counted as spend). */
  readonly unpricedRequests: number;
}

/** Options of createBudgetEngine. */
export interface BudgetEngineOptions {
  /** The orgs' limits documents (the limit store). */
  limits: Pick<LimitSource, 'peek' | 'get'>;
  /** Settled spend: the database is the truth. */
  spend: Pick<BudgetsRepository, 'addSpend' | 'findSpend'>;
  /** Time source: periods roll over at UTC midnight / the first of the month by it (default: the system clock). */
  clock?: Clock;
  /** Shared reservations (NAVPLANE_REDIS_URL): the runtime's ioredis client and NAVPLANE_REDIS_PREFIX. Absent: per process. */
  redis?: { client: Redis; prefix: string };
  /** A shared reservation store of the caller's making, in place of `redis` (specs that make a store fail on cue). */
  reservations?: ReservationStore;
  /**
   * NAVPLANE_LIMITS_FAIL_MODE with Redis: `open` holds reservations in this process's memory while Redis cannot be
   * reached (each process then counts alone), `closed` (the default here) refuses with 503 `limits_unavailable`.
   */
  failOpen?: boolean;
  /** A Redis reservation call failed (`first`: the first since it last answered); for the metric and one warning. */
  onStoreError?: (error: unknown, first: boolean) => void;
  /**
   * How long a reservation is held unless renewed, ms (default 900000). The engine renews its requests still in flight
   * every third of it, so a request may run for hours; a reservation of a process that died frees itself within one TTL.
   */
  reservationTtlMs?: number;
  /** How long a period's settled spend read from the database is used before it is read again, ms (default 1000). */
  spendTtlMs?: number;
  /** Spend was settled into a period (the alerts dispatcher); never awaited, must not throw. */
  onSpend?: (event: SpendSettled) => void;
  /** A settlement could not be written (default: process.emitWarning); the reservation is released all the same. */
  onError?: (error: Error) => void;
}

/** Budgets: reserve at request start, settle from the real cost, refuse `budget_exceeded` (docs/limits.md, "Budgets"). */
export interface BudgetEngine {
  /** The budgets covering `subject`, broadest first: synchronous when the org's document is in memory. */
  applicable(subject: LimitSubject): readonly ApplicableBudget[] | Promise<readonly ApplicableBudget[]>;
  /**
   * Holds `estimate` against every budget of `budgets` (their current periods) or refuses with 429 `budget_exceeded`
   * (`Retry-After`: until the refusing period ends); `storage_unavailable` when spend or reservations cannot be read.
   */
  reserve(
    subject: LimitSubject,
    budgets: readonly ApplicableBudget[],
    estimate: ReservationEstimate,
  ): Promise<BudgetReservation | AppError>;
  /** Settles the request's real cost into every period it held, then releases the reservation; once (a second call does nothing). Never rejects. */
  settle(reservation: BudgetReservation, cost: SettledCost): Promise<void>;
  /**
   * Settles a cost that no reservation held (a response of a WebSocket session) into the current period of each of
   * `budgets`: an unknown cost of a priced model is charged `unknownCost` (its estimate), an unpriced one is counted
   * apart. Never rejects.
   */
  charge(subject: LimitSubject, budgets: readonly ApplicableBudget[], cost: SettledCost, unknownCost: ReservationEstimate): Promise<void>;
  /**
   * True when settled spend (this process's settlements at once, other instances' within the spend TTL) has reached
   * one of `budgets` in its current period; reservations of requests in flight do not count. Rejects when spend
   * cannot be read.
   */
  exhausted(subject: LimitSubject, budgets: readonly ApplicableBudget[]): Promise<boolean>;
  /** Every budget of the org's document in its current period. Rejects when spend or reservations cannot be read. */
  statuses(orgId: string, document: LimitDocument): Promise<BudgetStatus[]>;
  /** Stops renewing the reservations in flight (they then expire after their TTL); at shutdown. */
  close(): void;
}

const NONE: readonly ApplicableBudget[] = Object.freeze([]);
/** The longest a request's reservation is renewed (6 h): longer than any request the gateway lets run. */
const MAX_HOLD_MS = 6 * 3_600_000;
const budgetsByDocument = new WeakMap<LimitDocument, Map<string, readonly ApplicableBudget[]>>();

function budgetsOf(document: LimitDocument, subject: LimitSubject): readonly ApplicableBudget[] {
  if (document.limits.length === 0) return NONE;
  let bySubject = budgetsByDocument.get(document);
  if (bySubject === undefined) budgetsByDocument.set(document, (bySubject = new Map<string, readonly ApplicableBudget[]>()));
  const id = `${subject.workspaceId ?? ''}|${subject.keyId}`;
  let found = bySubject.get(id);
  if (found === undefined) {
    found = limitsFor(document, subject).flatMap(({ scopeKey, entry }) =>
      entry.budget === undefined
        ? []
        : [{ scopeKey, scope: entry.scope, budget: entry.budget, ...(entry.alerts === undefined ? {} : { alerts: entry.alerts }) }],
    );
    if (found.length === 0) found = NONE;
    if (bySubject.size < 10_000) bySubject.set(id, found);
  }
  return found;
}

/** A scope as a refusal names it: `org`, `workspace ws_…`, `key key_…`. */
export function describeScope(scope: LimitScope): string {
  return scope.type === 'org' ? 'org' : `${scope.type} ${scope.id}`;
}

const unavailable = (cause: unknown) =>
  new AppError('storage_unavailable', 'Budget spend cannot be read right now; retry', {
    retryable: true,
    cause,
    details: { retryAfterSeconds: 1 },
  });

const reservationsUnavailable = (cause: unknown) =>
  new AppError('limits_unavailable', 'Budget reservations cannot be held right now (Redis is unreachable); retry', {
    retryable: true,
    cause,
    details: { retryAfterSeconds: 1 },
  });

const toError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));
const defaultOnError = (error: Error) => process.emitWarning(`NavPlane budgets: ${error.message}`);

/**
 * The budget engine (defaults: system clock, reservations in memory, reservation TTL 15 min, spend re-read after 1 s).
 *
 * The rule: a request is refused with 429 `budget_exceeded` when, for any budget covering it, settled spend plus the
 * live reservations plus its own reservation would pass the budget, or settled spend plus live reservations already
 * reach it (a spent budget refuses even unpriced requests) — checked and held atomically for all its budgets at once.
 */
export function createBudgetEngine(options: BudgetEngineOptions): BudgetEngine {
  const clock = options.clock ?? systemClock;
  const shared = options.reservations ?? (options.redis === undefined ? undefined : createRedisReservationStore(options.redis));
  const store: ReservationStore = shared ?? createMemoryReservationStore();
  // Fail-open with Redis: reservations made while it is unreachable are held here, and released where they were held.
  const fallback = shared !== undefined && options.failOpen === true ? createMemoryReservationStore() : undefined;
  const heldIn = new WeakMap<BudgetReservation, ReservationStore>();
  let storeDown = false;
  const reservationTtlMs = options.reservationTtlMs ?? 900_000;
  const spendTtlMs = options.spendTtlMs ?? 1000;
  const onError = options.onError ?? defaultOnError;
  const settled = new WeakSet<BudgetReservation>();
  // The reservations of this process's requests in flight, renewed every third of the TTL while there are any.
  // (A reservation is renewed for at most MAX_HOLD_MS: should a request ever go unsettled, its hold still ends.)
  const inFlight = new Map<BudgetReservation, number>();
  let renewTimer: NodeJS.Timeout | undefined;
  const renewInFlight = () => {
    const expiresAtMs = clock.nowMs() + reservationTtlMs;
    const byStore = new Map<ReservationStore, RenewedReservation[]>();
    for (const [reservation, reservedAtMs] of inFlight) {
      // Past the longest hold it is forgotten (it then expires on its own), so neither the map nor the timer outlives it.
      if (expiresAtMs - reservedAtMs > MAX_HOLD_MS) {
        untrack(reservation);
        continue;
      }
      const on = heldIn.get(reservation) ?? store;
      let entries = byStore.get(on);
      if (entries === undefined) byStore.set(on, (entries = []));
      for (const hold of reservation.holds) {
        entries.push({ key: hold.key, id: reservation.id, expiresAtMs: Math.min(expiresAtMs, hold.window.endMs + 60_000) });
      }
    }
    // A renewal that fails is tried again at the next tick; the reservation still holds until its current expiry.
    for (const [on, entries] of byStore) {
      on.renew(entries).catch((error: unknown) =>
        onError(new Error(`renewing the reservations of requests in flight failed: ${toError(error).message}`)),
      );
    }
  };
  let closed = false;
  const track = (reservation: BudgetReservation) => {
    // Closed (shutting down): nothing is renewed any more; a reservation made now expires after its TTL like the rest.
    if (closed) return;
    inFlight.set(reservation, clock.nowMs());
    if (renewTimer === undefined) {
      renewTimer = setInterval(renewInFlight, Math.max(1, Math.floor(reservationTtlMs / 3)));
      renewTimer.unref();
    }
  };
  const untrack = (reservation: BudgetReservation) => {
    inFlight.delete(reservation);
    if (inFlight.size === 0 && renewTimer !== undefined) {
      clearInterval(renewTimer);
      renewTimer = undefined;
    }
  };
  const spentCache = new Map<string, { spentUsd: number; unpricedRequests: number; readAtMs: number }>();

  const periodKey = (orgId: string, hold: Pick<BudgetHold, 'scopeKey' | 'window'>): BudgetPeriodKey => ({
    orgId,
    scopeKey: hold.scopeKey,
    period: hold.window.period,
    periodStart: hold.window.start,
  });
  const holdOf = (orgId: string, budget: ApplicableBudget, nowMs: number): BudgetHold => {
    const window = periodWindow(budget.budget.period, nowMs);
    return { ...budget, window, key: `${orgId}|${budget.scopeKey}|${window.period}|${window.start}` };
  };
  const remember = (key: string, spend: { spentUsd: number; unpricedRequests: number }) => {
    if (spentCache.size >= 100_000) spentCache.clear();
    spentCache.set(key, { ...spend, readAtMs: clock.nowMs() });
  };
  async function spentOf(orgId: string, hold: BudgetHold): Promise<{ spentUsd: number; unpricedRequests: number }> {
    const cached = spentCache.get(hold.key);
    if (cached !== undefined && clock.nowMs() - cached.readAtMs < spendTtlMs) return cached;
    const spend = await options.spend.findSpend(periodKey(orgId, hold));
    remember(hold.key, spend);
    return spend;
  }

  async function settle(reservation: BudgetReservation, cost: SettledCost): Promise<void> {
    // Once per reservation, whoever calls it again.
    if (settled.has(reservation)) return;
    settled.add(reservation);
    untrack(reservation);
    const known = cost.status !== 'unknown' && cost.usd !== null;
    // Unknown cost: a priced model is charged what was reserved (the most it could cost); an unpriced one is counted
    // apart, never as $0 spend.
    const charge = known ? (cost.usd ?? 0) : reservation.priced ? reservation.amountUsd : 0;
    const unpriced = !known && !reservation.priced ? 1 : 0;
    // The database's total after this settlement, per hold: what the shared store raises its settled figure to.
    const totals: Array<number | undefined> = reservation.holds.map(() => undefined);
    try {
      if (charge > 0 || unpriced > 0) {
        const at = clock.now().toISOString();
        await Promise.all(
          reservation.holds.map(async (hold, i) => {
            const after = await options.spend.addSpend(periodKey(reservation.orgId, hold), charge, unpriced, at);
            totals[i] = after.spentUsd;
            remember(hold.key, after);
            if (charge > 0)
              options.onSpend?.({ orgId: reservation.orgId, hold, beforeUsd: after.spentUsd - charge, afterUsd: after.spentUsd });
          }),
        );
      }
    } catch (error) {
      onError(toError(error));
    } finally {
      await (heldIn.get(reservation) ?? store)
        .release(
          reservation.holds.map((hold) => hold.key),
          reservation.id,
          totals,
        )
        .catch((error: unknown) => onError(toError(error)));
    }
  }

  return {
    applicable(subject) {
      const document = options.limits.peek(subject.orgId);
      if (document !== undefined) return budgetsOf(document, subject);
      return options.limits.get(subject.orgId).then((loaded) => budgetsOf(loaded, subject));
    },

    async reserve(subject, budgets, estimate) {
      const nowMs = clock.nowMs();
      const holds = budgets.map((budget) => holdOf(subject.orgId, budget, nowMs));
      const amountUsd = estimate.priced ? estimate.usd : 0;
      const id = randomUUID();
      let targets: ReservationTarget[];
      try {
        const spent = await Promise.all(holds.map((hold) => spentOf(subject.orgId, hold)));
        targets = holds.map((hold, i) => ({
          key: hold.key,
          budgetUsd: hold.budget.usd,
          spentUsd: spent[i]?.spentUsd ?? 0,
          periodEndMs: hold.window.endMs,
        }));
      } catch (error) {
        return unavailable(error);
      }
      let used = store;
      let result: ReserveResult;
      try {
        result = await store.reserve(targets, id, amountUsd, nowMs, nowMs + reservationTtlMs);
        storeDown = false;
      } catch (error) {
        options.onStoreError?.(error, !storeDown);
        storeDown = true;
        // A call that timed out may still have been held in Redis: drop it there (commands run in order on the
        // connection, so this runs after it), or it would count against the budget until its TTL for nothing.
        store
          .release(
            holds.map((hold) => hold.key),
            id,
            holds.map(() => undefined),
          )
          .catch(() => undefined);
        if (fallback === undefined) return reservationsUnavailable(error);
        used = fallback;
        result = await fallback.reserve(targets, id, amountUsd, nowMs, nowMs + reservationTtlMs);
      }
      if (!result.ok) {
        const hold = holds[result.index];
        if (hold === undefined) return new AppError('internal_error', 'Budget reservation refused by an unknown budget');
        const resetsAt = new Date(hold.window.endMs).toISOString();
        return new AppError(
          'budget_exceeded',
          `The ${describeScope(hold.scope)} budget of $${hold.budget.usd} per ${hold.budget.period} is used up (spent and reserved by requests in flight, with this request's estimate of $${amountUsd.toFixed(4)}); it resets at ${resetsAt}`,
          { details: { retryAfterSeconds: Math.max(1, (hold.window.endMs - nowMs) / 1000) } },
        );
      }
      const reservation: BudgetReservation = { id, orgId: subject.orgId, amountUsd, priced: estimate.priced, holds };
      if (used !== store) heldIn.set(reservation, used);
      track(reservation);
      return reservation;
    },

    settle,

    charge(subject, budgets, cost, unknownCost) {
      const nowMs = clock.nowMs();
      const holds = budgets.map((budget) => holdOf(subject.orgId, budget, nowMs));
      const priced = unknownCost.priced;
      return settle({ id: randomUUID(), orgId: subject.orgId, amountUsd: priced ? unknownCost.usd : 0, priced, holds }, cost);
    },

    async exhausted(subject, budgets) {
      const nowMs = clock.nowMs();
      for (const budget of budgets) {
        const hold = holdOf(subject.orgId, budget, nowMs);
        const { spentUsd } = await spentOf(subject.orgId, hold);
        if (spentUsd >= hold.budget.usd - USD_EPSILON) return true;
      }
      return false;
    },

    async statuses(orgId, document) {
      const nowMs = clock.nowMs();
      const out: BudgetStatus[] = [];
      for (const entry of document.limits) {
        if (entry.budget === undefined) continue;
        const hold = holdOf(orgId, { scopeKey: scopeKeyOf(entry.scope), scope: entry.scope, budget: entry.budget }, nowMs);
        const spend = await options.spend.findSpend(periodKey(orgId, hold));
        const reservedUsd = await store.reserved(hold.key, nowMs);
        out.push({
          scope: entry.scope,
          usd: entry.budget.usd,
          period: entry.budget.period,
          periodStart: hold.window.start,
          resetsAt: new Date(hold.window.endMs).toISOString(),
          spentUsd: spend.spentUsd,
          reservedUsd,
          remainingUsd: Math.max(0, entry.budget.usd - spend.spentUsd - reservedUsd),
          unpricedRequests: spend.unpricedRequests,
        });
      }
      return out;
    },

    close() {
      closed = true;
      inFlight.clear();
      if (renewTimer !== undefined) clearInterval(renewTimer);
      renewTimer = undefined;
    },
  };
}
