import type { TraceAggregateRow, TraceGroupKey, UsageGroupBy } from '@navplane/storage';

/**
 * How much of a cost is known: `exact` (every request priced from exact usage), `estimated` (every request
 * priced, some by estimate), `partial` (some requests' cost is unknown: `costUsd` is null), `unknown` (none is).
 */
export type UsageCostStatus = 'exact' | 'estimated' | 'partial' | 'unknown';

/** Sums of one group (or of all). */
export interface UsageNumbers {
  /** Proxied requests plus Batch API results (docs/traces.md, "Batch usage"). */
  requests: number;
  /** Of `requests`, the Batch API results fetched through the gateway, priced at the batch price. */
  batchRequests: number;
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

/**
 * One group: its key (model, `YYYY-MM-DD` UTC day, key id, tag or provider; null when the traces carry none, e.g. the
 * untagged requests) and sums.
 */
export interface UsageRow extends UsageNumbers {
  group: string | null;
}

/**
 * A usage report: one row per group (sorted by group, nulls last) and the totals over the range, each request counted
 * once (grouped by tag, a request is in the row of each of its tags, so the rows can add up to more than the totals).
 */
export interface UsageReport {
  groupBy: UsageGroupBy;
  /** Inclusive start (ISO-8601 UTC), or null for unbounded. */
  from: string | null;
  /** Exclusive end, or null for unbounded. */
  to: string | null;
  rows: UsageRow[];
  totals: UsageNumbers;
}

/** Usage plus failures and latency: what a traffic summary reports per group. */
export interface TrafficNumbers extends UsageNumbers {
  /** Failed requests: status >= 400, or a response that broke after it started (docs/traces.md, "Failed requests"). */
  failedRequests: number;
  /** Mean total latency in ms of the proxied requests (3 decimals; batch results have none), or null without any. */
  avgLatencyMs: number | null;
}

/** One group of a traffic summary: its value for each group key, in order (null when the traces carry none). */
export interface TrafficRow extends TrafficNumbers {
  group: Array<string | null>;
}

/**
 * A traffic summary: one row per group (sorted key by key, nulls last) and the totals over the range, each request
 * counted once (grouped by tag, the rows can add up to more).
 */
export interface TrafficSummary {
  groupBy: TraceGroupKey[];
  /** Inclusive start (ISO-8601 UTC), or null for unbounded. */
  from: string | null;
  /** Exclusive end, or null for unbounded. */
  to: string | null;
  rows: TrafficRow[];
  totals: TrafficNumbers;
}

type Sums = Omit<TraceAggregateRow, 'group'>;

// Costs are estimates at 1e-10 USD precision (docs/pricing.md); rounding hides float noise from summing.
const roundUsd = (usd: number) => Math.round(usd * 1e10) / 1e10;

/** The cost figures of summed traces: an unknown cost makes `costUsd` null, never a $0 term of a sum. */
function usageNumbers(sums: Sums): UsageNumbers {
  const pricedCostUsd = roundUsd(sums.pricedCostUsd);
  const unknown = sums.unknownCostRequests;
  let costStatus: UsageCostStatus = 'exact';
  if (unknown > 0) costStatus = unknown === sums.requests ? 'unknown' : 'partial';
  else if (sums.estimatedCostRequests > 0) costStatus = 'estimated';
  return {
    requests: sums.requests,
    batchRequests: sums.batchRequests,
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

function trafficNumbers(sums: Sums): TrafficNumbers {
  const proxied = sums.requests - sums.batchRequests;
  return {
    ...usageNumbers(sums),
    failedRequests: sums.failedRequests,
    avgLatencyMs: proxied === 0 ? null : Math.round((sums.latencyMsSum / proxied) * 1000) / 1000,
  };
}

/** The sums over every row (totals are the sums of the groups). */
function addUp(rows: readonly TraceAggregateRow[]): Sums {
  const total: Sums = {
    requests: 0,
    batchRequests: 0,
    failedRequests: 0,
    tokensIn: 0,
    tokensOut: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    pricedCostUsd: 0,
    unknownCostRequests: 0,
    estimatedCostRequests: 0,
    latencyMsSum: 0,
  };
  for (const row of rows) {
    for (const field of Object.keys(total) as Array<keyof Sums>) total[field] += row[field];
  }
  return total;
}

/**
 * Builds the usage report from the SQL aggregate rows, grouped by one key; the totals are summed from `totalRows`
 * (default `rows`: groups that do not overlap add up to the totals).
 */
export function usageReport(
  rows: readonly TraceAggregateRow[],
  groupBy: UsageGroupBy,
  range: { from?: string; to?: string },
  totalRows: readonly TraceAggregateRow[] = rows,
): UsageReport {
  return {
    groupBy,
    from: range.from ?? null,
    to: range.to ?? null,
    rows: rows.map((row) => ({ group: row.group[0] ?? null, ...usageNumbers(row) })),
    totals: usageNumbers(addUp(totalRows)),
  };
}

/** Builds a traffic summary from the SQL aggregate rows; the totals are summed from `totalRows` (default `rows`). */
export function trafficSummary(
  rows: readonly TraceAggregateRow[],
  groupBy: readonly TraceGroupKey[],
  range: { from?: string; to?: string },
  totalRows: readonly TraceAggregateRow[] = rows,
): TrafficSummary {
  return {
    groupBy: [...groupBy],
    from: range.from ?? null,
    to: range.to ?? null,
    rows: rows.map((row) => ({ group: row.group, ...trafficNumbers(row) })),
    totals: trafficNumbers(addUp(totalRows)),
  };
}

/** The numbers of no traffic at all (e.g. an org without requests in the range). */
export const NO_TRAFFIC: Readonly<TrafficNumbers> = Object.freeze(trafficNumbers(addUp([])));
