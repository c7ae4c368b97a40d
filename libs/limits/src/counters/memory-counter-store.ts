import { systemClock, type Clock } from '@navplane/core';
import { CONCURRENCY_RETRY_MS, type Admission, type CounterStore, type ScopeState } from './counter-store';
import { SlidingWindow } from './sliding-window';

/** Options of createMemoryCounterStore. */
export interface MemoryCounterStoreOptions {
  readonly clock?: Clock;
  /** How often windows with nothing left in them are forgotten, ms (default 60000). */
  readonly sweepIntervalMs?: number;
}

interface ScopeEntry {
  readonly requests: SlidingWindow;
  readonly tokens: SlidingWindow;
  readonly leases: Set<string>;
}

/**
 * The counters of this process (the embedded default, and what fail-open counts with while Redis is down): admission
 * runs synchronously, so it is atomic among this process's requests. Each process counts alone.
 */
export function createMemoryCounterStore(options: MemoryCounterStoreOptions = {}): CounterStore {
  const clock = options.clock ?? systemClock;
  const scopes = new Map<string, ScopeEntry>();
  const entryOf = (key: string): ScopeEntry => {
    let entry = scopes.get(key);
    if (entry === undefined) {
      entry = { requests: new SlidingWindow(), tokens: new SlidingWindow(), leases: new Set() };
      scopes.set(key, entry);
    }
    return entry;
  };
  const sweep = setInterval(() => {
    const nowMs = clock.nowMs();
    for (const [key, entry] of scopes) {
      if (entry.leases.size === 0 && entry.requests.idle(nowMs) && entry.tokens.idle(nowMs)) scopes.delete(key);
    }
  }, options.sweepIntervalMs ?? 60_000);
  sweep.unref();

  return {
    kind: 'memory',
    admit(checks, leaseId): Admission {
      const nowMs = clock.nowMs();
      for (const check of checks) {
        const entry = entryOf(check.key);
        if (check.rpm !== undefined) {
          const read = entry.requests.read(nowMs);
          if (read.used >= check.rpm) {
            return { admitted: false, limit: 'rpm', key: check.key, retryAfterMs: SlidingWindow.retryAfter(read, check.rpm, nowMs) };
          }
        }
        if (check.tpm !== undefined) {
          const read = entry.tokens.read(nowMs);
          if (read.used >= check.tpm) {
            return { admitted: false, limit: 'tpm', key: check.key, retryAfterMs: SlidingWindow.retryAfter(read, check.tpm, nowMs) };
          }
        }
        if (check.concurrency !== undefined && entry.leases.size >= check.concurrency) {
          return { admitted: false, limit: 'concurrency', key: check.key, retryAfterMs: CONCURRENCY_RETRY_MS };
        }
      }
      const states: ScopeState[] = [];
      for (const check of checks) {
        const entry = entryOf(check.key);
        if (check.rpm !== undefined) entry.requests.add(nowMs, 1);
        if (check.concurrency !== undefined) entry.leases.add(leaseId);
        states.push({
          key: check.key,
          ...(check.rpm === undefined ? {} : { requests: entry.requests.state(check.rpm, nowMs) }),
          ...(check.tpm === undefined ? {} : { tokens: entry.tokens.state(check.tpm, nowMs) }),
        });
      }
      return { admitted: true, scopes: states };
    },
    release(checks, leaseId, tokens) {
      const nowMs = clock.nowMs();
      for (const check of checks) {
        const entry = entryOf(check.key);
        if (check.concurrency !== undefined) entry.leases.delete(leaseId);
        if (check.tpm !== undefined && tokens > 0) entry.tokens.add(nowMs, tokens);
      }
    },
    close() {
      clearInterval(sweep);
      scopes.clear();
    },
  };
}
