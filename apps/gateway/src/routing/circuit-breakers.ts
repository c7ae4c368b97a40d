import type { MetricsRegistry } from '@navplane/telemetry';

/** A breaker's state: `closed` (serving), `open` (cut off), `half_open` (one probe in flight). */
export type BreakerState = 'closed' | 'open' | 'half_open';

/** One target as a breaker knows it: the org (keys are per org), provider, base URL, model and key name. */
export interface BreakerTarget {
  readonly orgId: string;
  readonly provider: string;
  readonly baseUrl: string;
  readonly model: string;
  readonly keyName: string;
}

/** Options of createCircuitBreakers. */
export interface CircuitBreakerOptions {
  /** NAVPLANE_BREAKER_FAILURES: consecutive failures that open a breaker. */
  readonly failures: number;
  /** NAVPLANE_BREAKER_COOLDOWN_MS: how long an open breaker stays open before a probe. */
  readonly cooldownMs: number;
  /** Metrics: state counts by provider and transitions (optional). */
  readonly metrics?: MetricsRegistry;
  /** The clock (ms); `Date.now` unless a test drives it. */
  readonly now?: () => number;
  /** Most breakers kept (closed, healthy ones are forgotten first); default 100 000. */
  readonly maxEntries?: number;
}

/** A claim on a target for one attempt: report how it went exactly once. */
export interface BreakerPermit {
  /** The target answered (any status but a counted failure). */
  success(): void;
  /** A counted failure (connect, timeout, 429, 5xx). */
  failure(): void;
  /** Neither: the client left or the attempt was abandoned before an answer (a probe's claim is released). */
  release(): void;
}

/** The per-instance circuit breakers of routed targets (docs/routing.md, "Circuit breakers"). */
export interface CircuitBreakers {
  /** A permit to try `target` now, or undefined when its breaker is open (or half-open with its probe in flight). */
  tryAcquire(target: BreakerTarget): BreakerPermit | undefined;
  /** The state of `target`'s breaker (closed when it has none). */
  state(target: BreakerTarget): BreakerState;
  /** Every breaker kept now (open, half-open, and closed ones with recent failures), for the diagnostics report. */
  snapshot(): BreakerSnapshot[];
}

/** One breaker as the diagnostics report shows it (times in ms since the epoch). */
export interface BreakerSnapshot extends BreakerTarget {
  readonly state: BreakerState;
  /** Consecutive counted failures. */
  readonly failures: number;
  /** When it last opened (null: never, a closed breaker with a few failures). */
  readonly openedAt: number | null;
  /** When an open breaker lets a probe through (null unless open). */
  readonly probeAt: number | null;
}

interface Entry {
  readonly target: BreakerTarget;
  readonly provider: string;
  state: BreakerState;
  failures: number;
  openedAt: number;
  probing: boolean;
}

/**
 * Circuit breakers per target, in this process: closed → open after `failures` consecutive counted failures → after
 * `cooldownMs`, half-open: one request probes it (the others skip it) → closed on success, open again on failure.
 * Kept per instance: no shared state on the hot path (a lookup is a map read), and each instance learns within a few
 * requests on its own that a target keeps failing. A closed breaker with no failure is not kept.
 */
export function createCircuitBreakers(options: CircuitBreakerOptions): CircuitBreakers {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 100_000;
  const entries = new Map<string, Entry>();
  const transitions = options.metrics?.counter({
    name: 'navplane_circuit_breaker_transitions_total',
    help: 'Circuit breaker transitions of routed targets, by provider and the state entered (open, half_open, closed)',
    labelNames: ['provider', 'to'] as const,
  });
  options.metrics?.gauge({
    name: 'navplane_circuit_breakers',
    help: 'Circuit breakers of routed targets in this process, by provider and state (closed ones with recent failures included)',
    labelNames: ['provider', 'state'] as const,
    collect() {
      const counts = new Map<string, number>();
      for (const entry of entries.values()) {
        const label = `${entry.provider}\u0000${entry.state}`;
        counts.set(label, (counts.get(label) ?? 0) + 1);
      }
      this.reset();
      for (const [label, count] of counts) {
        const [provider = '', state = 'closed'] = label.split('\u0000');
        this.set({ provider, state }, count);
      }
    },
  });

  // A routed request's targets are planned once per route (docs/routing.md), so their breaker identities repeat: the key
  // of each is built once.
  const keys = new WeakMap<BreakerTarget, string>();
  const keyOf = (t: BreakerTarget) => {
    let key = keys.get(t);
    if (key === undefined) {
      key = `${t.orgId}\u0000${t.provider}\u0000${t.baseUrl}\u0000${t.model}\u0000${t.keyName}`;
      keys.set(t, key);
    }
    return key;
  };
  const enter = (entry: Entry, state: BreakerState) => {
    if (entry.state === state) return;
    entry.state = state;
    transitions?.inc({ provider: entry.provider, to: state });
  };

  const permit = (key: string, entry: Entry | undefined, target: BreakerTarget): BreakerPermit => {
    let settled = false;
    const once = (action: () => void) => {
      if (settled) return;
      settled = true;
      action();
    };
    return {
      success: () =>
        once(() => {
          const current = entries.get(key);
          if (current === undefined) return;
          current.probing = false;
          current.failures = 0;
          enter(current, 'closed');
          entries.delete(key);
        }),
      failure: () =>
        once(() => {
          let current = entries.get(key);
          if (current === undefined) {
            if (entries.size >= maxEntries) evict();
            current = { target: copyTarget(target), provider: target.provider, state: 'closed', failures: 0, openedAt: 0, probing: false };
            entries.set(key, current);
          }
          current.failures += 1;
          if (current.state === 'half_open' || current.failures >= options.failures) {
            current.probing = false;
            current.openedAt = now();
            if (current.state === 'open') return;
            enter(current, 'open');
          }
        }),
      release: () =>
        once(() => {
          if (entry !== undefined && entry.state === 'half_open') entry.probing = false;
        }),
    };
  };

  // Bounded: closed entries (a few failures, not open) go first, then the oldest.
  const evict = () => {
    for (const [key, entry] of entries) {
      if (entry.state === 'closed') {
        entries.delete(key);
        return;
      }
    }
    const oldest = entries.keys().next();
    if (oldest.done !== true) entries.delete(oldest.value);
  };

  return {
    tryAcquire(target) {
      const key = keyOf(target);
      const entry = entries.get(key);
      if (entry === undefined || entry.state === 'closed') return permit(key, entry, target);
      if (entry.state === 'open') {
        if (now() - entry.openedAt < options.cooldownMs) return undefined;
        enter(entry, 'half_open');
      }
      if (entry.probing) return undefined;
      entry.probing = true;
      return permit(key, entry, target);
    },
    state(target) {
      const entry = entries.get(keyOf(target));
      return entry === undefined ? 'closed' : stateOf(entry);
    },
    snapshot() {
      return [...entries.values()].map((entry) => {
        const state = stateOf(entry);
        return {
          ...entry.target,
          state,
          failures: entry.failures,
          openedAt: entry.openedAt === 0 ? null : entry.openedAt,
          probeAt: state === 'open' ? entry.openedAt + options.cooldownMs : null,
        };
      });
    },
  };

  // An open breaker whose cooldown ran out lets the next request probe: it is half-open already.
  function stateOf(entry: Entry): BreakerState {
    if (entry.state === 'open' && now() - entry.openedAt >= options.cooldownMs) return 'half_open';
    return entry.state;
  }
}

const copyTarget = ({ orgId, provider, baseUrl, model, keyName }: BreakerTarget): BreakerTarget => ({
  orgId,
  provider,
  baseUrl,
  model,
  keyName,
});
