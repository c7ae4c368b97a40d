// Shared set-up for the budget specs (not built into dist): a settable clock and a fixed limits source.
import type { Clock } from '@navplane/core';
import type { LimitDocument, LimitSource } from '../limit-document';

/** A clock the spec moves by hand. */
export function settableClock(startMs: number): Clock & { set(ms: number): void; advance(ms: number): void } {
  let now = startMs;
  return {
    nowMs: () => now,
    now: () => new Date(now),
    set: (ms) => {
      now = ms;
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

/** A limits source holding one document per org, changeable by the spec. */
export function fixedLimits(documents: Map<string, LimitDocument>): LimitSource {
  return {
    peek: (orgId) => documents.get(orgId) ?? { limits: [] },
    get: (orgId) => Promise.resolve(documents.get(orgId) ?? { limits: [] }),
  };
}
