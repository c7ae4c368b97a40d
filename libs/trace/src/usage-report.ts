import type { UsageAggregateRow, UsageGroupBy } from '@navplane/storage';

/**
 * How much of a cost is known: `exact` (every request priced from exact usage), `estimated` (every request
 * priced, some by estimate), `partial` (some requests' cost is unknown: `costUsd` is null), `unknown` (none is).
 */
export type UsageCostStatus = 'exact' | 'estimated' | 'partial' | 'unknown';

/** Sums of one group (or of all). */
export interface UsageNumbers {
  requests: number;
  tokensIn: number;
  tokensOut: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** The total cost in USD, or null when any request's cost is unknown: an unknown cost is never summed as 0. */
  costUsd: number | null;
  /** The sum over the requests whose cost is known (a lower bound when `costStatus` is `partial`). */
  pricedCostUsd: number;
  /** Requests whose cost is unknown (not in any sum). */
  unknownCostRequests: number;
  costStatus: UsageCostStatus;
}

/** One group: its key (model, `YYYY-MM-DD` UTC day or key id; null when the traces carry none) and sums. */
export interface UsageRow extends UsageNumbers {
  group: string | null;
}

/** A usage report: one row per group (sorted by group, nulls last) and the totals over the range. */
export interface UsageReport {
  groupBy: UsageGroupBy;
  /** Inclusive start (ISO-8601 UTC), or null for unbounded. */
  from: string | null;
  /** Exclusive end, or null for unbounded. */
  to: string | null;
  rows: UsageRow[];
  totals: UsageNumbers;
}

// Costs are estimates at 1e-10 USD precision (docs/pricing.md); rounding hides float noise from summing.
const roundUsd = (usd: number) => Math.round(usd * 1e10) / 1e10;

function numbers(sums: Omit<UsageAggregateRow, 'group'>): UsageNumbers {
  const pricedCostUsd = roundUsd(sums.pricedCostUsd);
  const unknown = sums.unknownCostRequests;
  let costStatus: UsageCostStatus = 'exact';
  if (unknown > 0) costStatus = unknown === sums.requests ? 'unknown' : 'partial';
  else if (sums.estimatedCostRequests > 0) costStatus = 'estimated';
  return {
    requests: sums.requests,
    tokensIn: sums.tokensIn,
    tokensOut: sums.tokensOut,
    cacheReadTokens: sums.cacheReadTokens,
    cacheWriteTokens: sums.cacheWriteTokens,
    costUsd: unknown > 0 ? null : pricedCostUsd,
    pricedCostUsd,
    unknownCostRequests: unknown,
    costStatus,
  };
}

/** Builds the report from the SQL aggregate rows (totals are the sums of the groups). */
export function usageReport(rows: readonly UsageAggregateRow[], groupBy: UsageGroupBy, range: { from?: string; to?: string }): UsageReport {
  const total: Omit<UsageAggregateRow, 'group'> = {
    requests: 0,
    tokensIn: 0,
    tokensOut: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    pricedCostUsd: 0,
    unknownCostRequests: 0,
    estimatedCostRequests: 0,
  };
  for (const row of rows) {
    for (const field of Object.keys(total) as Array<keyof typeof total>) total[field] += row[field];
  }
  return {
    groupBy,
    from: range.from ?? null,
    to: range.to ?? null,
    rows: rows.map((row) => ({ group: row.group, ...numbers(row) })),
    totals: numbers(total),
  };
}
