/**
 * The counters behind rpm, tpm and concurrency (docs/limits.md, "Counting"): one port, two stores (in this process;
 * Redis, shared by every instance). A rolling 60 s window of 1 s buckets counts requests and tokens; concurrency is a
 * set of leases, each released when its request ends and expiring on its own if the instance that took it dies.
 */

/** The rolling window rpm and tpm count over, ms. */
export const WINDOW_MS = 60_000;
/** One bucket of the window, ms: a request or its tokens count in the bucket of the second they happen in. */
export const BUCKET_MS = 1_000;
/** Buckets in the window. */
export const WINDOW_BUCKETS = WINDOW_MS / BUCKET_MS;

/** The limit types counted here (budgets are settled elsewhere). */
export type CountedLimit = 'rpm' | 'tpm' | 'concurrency';

/** One scope's counters a request is checked against; a limit left undefined is not counted for that scope. */
export interface ScopeCounters {
  /** Unique per org and scope (`org_…:key:key_…`); the store adds its own prefix. */
  readonly key: string;
  readonly rpm?: number;
  readonly tpm?: number;
  readonly concurrency?: number;
}

/** Where a scope's window stands right after a request was admitted (the x-ratelimit headers are read from it). */
export interface WindowState {
  readonly limit: number;
  /** What is left in the window (never below 0). */
  readonly remaining: number;
  /** ms until every request (or token) now counted has left the window. */
  readonly resetMs: number;
}

/** A scope as the admitted request left it. */
export interface ScopeState {
  readonly key: string;
  readonly requests?: WindowState;
  readonly tokens?: WindowState;
}

/** The answer to an admission: admitted with every scope's state, or refused by the first limit that is full. */
export type Admission =
  | { readonly admitted: true; readonly scopes: readonly ScopeState[] }
  | {
      readonly admitted: false;
      readonly limit: CountedLimit;
      readonly key: string;
      /** ms until the request would be admitted by that limit (concurrency: a guess, a slot frees when a request ends). */
      readonly retryAfterMs: number;
    };

/**
 * A counter store. `admit` checks every scope and, only when all have room, counts the request in each (one request in
 * the rpm window, one lease in the concurrency set) — all or nothing, atomically for the store's instances. `release`
 * ends the lease and adds the request's tokens to the tpm windows.
 */
export interface CounterStore {
  /** Which store this is (`memory`, `redis`), for logs and diagnostics. */
  readonly kind: string;
  admit(scopes: readonly ScopeCounters[], leaseId: string): Admission | Promise<Admission>;
  /** Releases the lease `leaseId` in every scope with a concurrency limit and adds `tokens` to every scope with a tpm. */
  release(scopes: readonly ScopeCounters[], leaseId: string, tokens: number): void | Promise<void>;
  /** Stops timers and forgets held state (the Redis client is its owner's to close). */
  close(): void;
}

/** Retry-After for a full concurrency limit: a slot frees when a request ends, which no store can foresee. */
export const CONCURRENCY_RETRY_MS = 1_000;

/**
 * The ms until a full window has room: its oldest buckets leave one by one, and it has room once what left brings
 * `used` below `limit`. `buckets` is `[bucket index, amount]` oldest first; `nowMs` the current time.
 */
export function msUntilRoom(buckets: ReadonlyArray<readonly [number, number]>, used: number, limit: number, nowMs: number): number {
  let toDrop = used - limit + 1;
  for (const [index, amount] of buckets) {
    toDrop -= amount;
    if (toDrop <= 0) return Math.max(1, (index + WINDOW_BUCKETS) * BUCKET_MS - nowMs);
  }
  return WINDOW_MS;
}

/** The ms until the newest bucket leaves the window (every counted request gone): the `reset` of the headers. */
export function msUntilEmpty(newestBucket: number | undefined, nowMs: number): number {
  return newestBucket === undefined ? 0 : Math.max(0, (newestBucket + WINDOW_BUCKETS) * BUCKET_MS - nowMs);
}
