import type { ApplicableLimit } from '../limit-document';
import type { Admission, CountedLimit, CounterStore, ScopeCounters } from './counter-store';
import { rateLimitHeaders } from './rate-limit-headers';

/** What limit enforcement does when the shared store fails (NAVPLANE_LIMITS_FAIL_MODE). */
export type FailMode = 'open' | 'closed';

/** A request's hold on its counters: released once when it ends, with the tokens it used. */
export interface LimitLease {
  /** Ends the lease (concurrency) and adds `tokens` (input + output) to the tpm windows. Only the first call counts. */
  release(tokens: number): void;
}

/** What the counters decided for a request. */
export type LimitDecision =
  /** No rpm, tpm or concurrency applies: nothing was counted. */
  | { readonly outcome: 'unlimited' }
  | { readonly outcome: 'admitted'; readonly lease: LimitLease; readonly headers: Readonly<Record<string, string>> }
  | {
      readonly outcome: 'refused';
      readonly limit: CountedLimit;
      readonly scopeKey: string;
      readonly retryAfterMs: number;
      /** OpenAI's `x-ratelimit-*` of the refusing rpm or tpm window (nothing left, reset when the retry may pass); none for concurrency. */
      readonly headers: Readonly<Record<string, string>>;
    }
  /** The shared store failed and NAVPLANE_LIMITS_FAIL_MODE is `closed`. */
  | { readonly outcome: 'unavailable' };

/** Options of createLimitCounters. */
export interface LimitCountersOptions {
  /** Where requests are counted: in this process, or Redis. */
  readonly store: CounterStore;
  /** Fail-open: where requests are counted while `store` fails (an in-process store). Absent: fail-closed. */
  readonly fallback?: CounterStore;
  /** `store` failed: `first` is true for the first failure of an outage (warn once per outage). */
  readonly onStoreError?: (error: unknown, first: boolean) => void;
  /** `store` answered again after an outage. */
  readonly onStoreRecovered?: () => void;
}

/** The counters the gateway asks, per request. */
export interface LimitCounters {
  /** Which store counts (`memory`, `redis`). */
  readonly kind: string;
  /**
   * Checks and counts a request of `orgId` against the limits that apply to it (from `limitsFor`); synchronous with the
   * in-process store. `leaseId` is unique per request (its trace id).
   */
  admit(orgId: string, limits: readonly ApplicableLimit[], leaseId: string): LimitDecision | Promise<LimitDecision>;
  /** Stops the stores' timers (the Redis client is closed by its owner). */
  close(): void;
}

const UNLIMITED: LimitDecision = Object.freeze({ outcome: 'unlimited' });
const UNAVAILABLE: LimitDecision = Object.freeze({ outcome: 'unavailable' });

/** The refusing window as OpenAI's headers on its 429 say it: the limit, none remaining, and when a retry may pass. */
function refusalHeaders(limit: CountedLimit, retryAfterMs: number, check: ScopeCounters | undefined): Record<string, string> {
  const window = { limit: 0, remaining: 0, resetMs: retryAfterMs };
  if (limit === 'rpm' && check?.rpm !== undefined) return rateLimitHeaders([{ key: check.key, requests: { ...window, limit: check.rpm } }]);
  if (limit === 'tpm' && check?.tpm !== undefined) return rateLimitHeaders([{ key: check.key, tokens: { ...window, limit: check.tpm } }]);
  return {};
}

/** The counted limits of the applicable entries, one per scope that has any (budget-only entries are not counted here). */
function countersOf(orgId: string, limits: readonly ApplicableLimit[]): ScopeCounters[] {
  const out: ScopeCounters[] = [];
  for (const { scopeKey, entry } of limits) {
    if (entry.rpm === undefined && entry.tpm === undefined && entry.concurrency === undefined) continue;
    out.push({
      key: `${orgId}:${scopeKey}`,
      ...(entry.rpm === undefined ? {} : { rpm: entry.rpm }),
      ...(entry.tpm === undefined ? {} : { tpm: entry.tpm }),
      ...(entry.concurrency === undefined ? {} : { concurrency: entry.concurrency }),
    });
  }
  return out;
}

/**
 * The rpm/tpm/concurrency counters (docs/limits.md): every applicable scope is checked and counted at once; an admitted
 * request holds a lease that its end releases exactly once. With a fallback (fail-open), a store that fails is replaced
 * by the fallback until it answers again; without one (fail-closed), requests under a limit are `unavailable`.
 */
export function createLimitCounters(options: LimitCountersOptions): LimitCounters {
  const { store, fallback } = options;
  let down = false;

  const failed = (error: unknown) => {
    options.onStoreError?.(error, !down);
    down = true;
  };
  const answered = () => {
    if (!down) return;
    down = false;
    options.onStoreRecovered?.();
  };

  const leaseOn = (on: CounterStore, checks: readonly ScopeCounters[], leaseId: string): LimitLease => {
    let released = false;
    return {
      release(tokens) {
        if (released) return;
        released = true;
        try {
          const done = on.release(checks, leaseId, Number.isFinite(tokens) && tokens > 0 ? tokens : 0);
          // A release that fails leaves the lease to expire on its own (its TTL) and the tokens uncounted.
          if (done instanceof Promise) done.then(answered, failed);
        } catch (error) {
          failed(error);
        }
      },
    };
  };

  const decide = (
    on: CounterStore,
    admission: Admission,
    checks: readonly ScopeCounters[],
    leaseId: string,
    orgId: string,
  ): LimitDecision =>
    admission.admitted
      ? { outcome: 'admitted', lease: leaseOn(on, checks, leaseId), headers: rateLimitHeaders(admission.scopes) }
      : {
          outcome: 'refused',
          limit: admission.limit,
          scopeKey: admission.key.slice(orgId.length + 1),
          retryAfterMs: admission.retryAfterMs,
          headers: refusalHeaders(
            admission.limit,
            admission.retryAfterMs,
            checks.find((check) => check.key === admission.key),
          ),
        };

  const onFallback = (checks: readonly ScopeCounters[], leaseId: string, orgId: string): LimitDecision | Promise<LimitDecision> => {
    if (fallback === undefined) return UNAVAILABLE;
    const admission = fallback.admit(checks, leaseId);
    return admission instanceof Promise
      ? admission.then((settled) => decide(fallback, settled, checks, leaseId, orgId))
      : decide(fallback, admission, checks, leaseId, orgId);
  };

  return {
    kind: store.kind,
    admit(orgId, limits, leaseId) {
      if (limits.length === 0) return UNLIMITED;
      const checks = countersOf(orgId, limits);
      if (checks.length === 0) return UNLIMITED;
      let admission: Admission | Promise<Admission>;
      try {
        admission = store.admit(checks, leaseId);
      } catch (error) {
        failed(error);
        return onFallback(checks, leaseId, orgId);
      }
      if (!(admission instanceof Promise)) return decide(store, admission, checks, leaseId, orgId);
      return admission.then(
        (settled) => {
          answered();
          return decide(store, settled, checks, leaseId, orgId);
        },
        (error: unknown) => {
          failed(error);
          // A call that timed out may still have counted the request and taken its lease in the store: the lease is
          // handed back there (commands run in order on the connection, so after it), or it would hold a concurrency
          // slot until its TTL for nothing. The request itself stays counted in rpm, as any admitted one.
          try {
            const back = store.release(checks, leaseId, 0);
            if (back instanceof Promise) back.catch(() => undefined);
          } catch {
            // the store is down: the lease, if any, expires with its TTL
          }
          return onFallback(checks, leaseId, orgId);
        },
      );
    },
    close() {
      store.close();
      fallback?.close();
    },
  };
}
