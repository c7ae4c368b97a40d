import type { TraceSummary } from '@navplane/storage';

/** How usage is grouped: by model, by UTC day, or by NavPlane key. */
export type UsageGroupBy = 'model' | 'day' | 'key';

/** What usage needs of a trace. */
export type UsageTrace = Pick<
  TraceSummary,
  'startedAt' | 'model' | 'keyId' | 'tokensIn' | 'tokensOut' | 'cacheReadTokens' | 'cacheWriteTokens' | 'costUsd' | 'costStatus'
>;

/** Sums of one group (or of all). */
export interface UsageNumbers {
  requests: number;
  tokensIn: number;
  tokensOut: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** Null when any request's cost is unknown: an unknown cost is never summed as 0. */
  costUsd: number | null;
  /** Sum over the requests whose cost is known. */
  pricedCostUsd: number;
  unknownCostRequests: number;
}

/** One group: its key (model, `YYYY-MM-DD`, key id; null when the trace has none) and sums. */
export interface UsageRow extends UsageNumbers {
  group: string | null;
}

/** The report: one row per group (sorted by group, nulls last) and the totals. */
export interface UsageSummary {
  rows: UsageRow[];
  totals: UsageNumbers;
}

const GROUP_OF: Record<UsageGroupBy, (trace: UsageTrace) => string | null> = {
  model: (trace) => trace.model,
  day: (trace) => trace.startedAt.slice(0, 10),
  key: (trace) => trace.keyId,
};

// Costs are estimates at 1e-10 USD precision (docs/pricing.md); rounding hides float noise from summing.
const roundUsd = (usd: number) => Math.round(usd * 1e10) / 1e10;

interface Accumulator {
  requests: number;
  tokensIn: number;
  tokensOut: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  pricedCostUsd: number;
  unknownCostRequests: number;
}

const empty = (): Accumulator => ({
  requests: 0,
  tokensIn: 0,
  tokensOut: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  pricedCostUsd: 0,
  unknownCostRequests: 0,
});

function add(into: Accumulator, trace: UsageTrace): void {
  into.requests += 1;
  into.tokensIn += trace.tokensIn ?? 0;
  into.tokensOut += trace.tokensOut ?? 0;
  into.cacheReadTokens += trace.cacheReadTokens ?? 0;
  into.cacheWriteTokens += trace.cacheWriteTokens ?? 0;
  if (trace.costStatus === 'unknown' || trace.costUsd === null) into.unknownCostRequests += 1;
  else into.pricedCostUsd += trace.costUsd;
}

function finish(sums: Accumulator): UsageNumbers {
  const pricedCostUsd = roundUsd(sums.pricedCostUsd);
  return { ...sums, pricedCostUsd, costUsd: sums.unknownCostRequests > 0 ? null : pricedCostUsd };
}

/** Tokens and estimated cost of `traces` grouped by `groupBy` (pure; the caller picks the traces). */
export function summarizeUsage(traces: Iterable<UsageTrace>, groupBy: UsageGroupBy): UsageSummary {
  const groups = new Map<string | null, Accumulator>();
  const totals = empty();
  const groupOf = GROUP_OF[groupBy];
  for (const trace of traces) {
    const group = groupOf(trace);
    let sums = groups.get(group);
    if (sums === undefined) {
      sums = empty();
      groups.set(group, sums);
    }
    add(sums, trace);
    add(totals, trace);
  }
  const rows = [...groups.entries()]
    .sort(([a], [b]) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1))
    .map(([group, sums]) => ({ group, ...finish(sums) }));
  return { rows, totals: finish(totals) };
}
