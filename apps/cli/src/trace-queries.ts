import {
  LINEAGE_COLUMNS,
  TRACE_SUMMARY_COLUMNS as SUMMARY_COLUMNS,
  traceSummaryFromRow,
  type Database,
  type LineageKind,
  type TraceSummary,
  type TraceSummaryRow,
} from '@navplane/storage';

// Offline read queries the traces repository does not offer (range aggregates, lineage, failures). They use
// the same columns and indexes (traces_org_started_idx, the partial lineage indexes) as the repository.

/** Which lineage id a chain follows (storage's `LineageKind`). */
export type { LineageKind };

/** Most traces one chain returns. */
export const MAX_CHAIN_TRACES = 10_000;

const num = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));

/** Trace reads for the offline commands. */
export interface TraceQueries {
  /** Every trace sharing the lineage id, ordered by started_at then id (at most MAX_CHAIN_TRACES). */
  chain(kind: LineageKind, id: string, orgId?: string): Promise<TraceSummary[]>;
  /** The newest failing traces (status >= 400 or an error class), newest first (started_at, id). */
  failures(options: { orgId?: string; since?: string; limit: number }): Promise<TraceSummary[]>;
  /** Per-org totals over [from, to). */
  totals(range: { from: string; to: string; orgId?: string }): Promise<OrgTotals[]>;
  /** Per-org, per-model totals over [from, to). */
  byModel(range: { from: string; to: string; orgId?: string }): Promise<ModelTotals[]>;
  /** Per-org, per-key totals over [from, to). */
  byKey(range: { from: string; to: string; orgId?: string }): Promise<KeyTotals[]>;
  /** Per-org counts of each error class over [from, to). */
  byErrorClass(range: { from: string; to: string; orgId?: string }): Promise<ErrorClassCount[]>;
}

/** Sums shared by every grouping. */
export interface Totals {
  requests: number;
  errors: number;
  tokensIn: number;
  tokensOut: number;
  /** Sum of known costs (USD). */
  costUsd: number;
  /** Requests whose cost is unknown (not in the sum). */
  costUnknownRequests: number;
}

/** One org's totals. */
export interface OrgTotals extends Totals {
  orgId: string;
  avgLatencyMs: number | null;
}

/** One org's totals for one provider/model. */
export interface ModelTotals extends Totals {
  orgId: string;
  provider: string;
  model: string | null;
}

/** One org's totals for one NavPlane key. */
export interface KeyTotals extends Totals {
  orgId: string;
  keyId: string | null;
}

/** How often one error class occurred in an org. */
export interface ErrorClassCount {
  orgId: string;
  errorClass: string;
  count: number;
}

/** The queries over `database`. */
export function createTraceQueries(database: Database): TraceQueries {
  const { db, capabilities } = database;

  const toSummary = (row: Record<(typeof SUMMARY_COLUMNS)[number], unknown>): TraceSummary =>
    traceSummaryFromRow(row as TraceSummaryRow, capabilities);

  const inRange = (range: { from: string; to: string; orgId?: string }) => {
    let query = db.selectFrom('traces').where('started_at', '>=', range.from).where('started_at', '<', range.to);
    if (range.orgId !== undefined) query = query.where('org_id', '=', range.orgId);
    return query;
  };

  const toTotals = (row: Record<string, unknown>): Totals => ({
    requests: num(row['requests']),
    errors: num(row['errors']),
    tokensIn: num(row['tokens_in']),
    tokensOut: num(row['tokens_out']),
    costUsd: roundUsd(num(row['cost_usd'])),
    costUnknownRequests: num(row['cost_unknown']),
  });

  // The sums every grouping reports; `errors` counts a status >= 400 or any error class (aborts included).
  const aggregates = (range: { from: string; to: string; orgId?: string }) =>
    inRange(range).select((eb) => [
      eb.fn.countAll<number>().as('requests'),
      eb.fn
        .sum<number>(
          eb
            .case()
            .when(eb.or([eb('status', '>=', 400), eb('error_class', 'is not', null)]))
            .then(eb.lit(1))
            .else(eb.lit(0))
            .end(),
        )
        .as('errors'),
      eb.fn.sum<number | null>('tokens_in').as('tokens_in'),
      eb.fn.sum<number | null>('tokens_out').as('tokens_out'),
      eb.fn.sum<number | null>('cost_usd').as('cost_usd'),
      eb.fn.sum<number>(eb.case().when('cost_usd', 'is', null).then(eb.lit(1)).else(eb.lit(0)).end()).as('cost_unknown'),
    ]);

  return {
    async chain(kind, id, orgId) {
      let query = db.selectFrom('traces').select(SUMMARY_COLUMNS).where(LINEAGE_COLUMNS[kind], '=', id);
      if (orgId !== undefined) query = query.where('org_id', '=', orgId);
      const rows = await query.orderBy('started_at').orderBy('id').limit(MAX_CHAIN_TRACES).execute();
      return rows.map(toSummary);
    },
    async failures({ orgId, since, limit }) {
      let query = db
        .selectFrom('traces')
        .select(SUMMARY_COLUMNS)
        .where((eb) => eb.or([eb('status', '>=', 400), eb('error_class', 'is not', null)]));
      if (orgId !== undefined) query = query.where('org_id', '=', orgId);
      if (since !== undefined) query = query.where('started_at', '>=', since);
      const rows = await query.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return rows.map(toSummary);
    },
    async totals(range) {
      const rows = await aggregates(range)
        .select((eb) => ['org_id', eb.fn.avg<number | null>('latency_ms').as('avg_latency')])
        .groupBy('org_id')
        .execute();
      return rows.map((row) => ({
        orgId: row.org_id,
        ...toTotals(row),
        avgLatencyMs: row.avg_latency === null ? null : Math.round(Number(row.avg_latency) * 1000) / 1000,
      }));
    },
    async byModel(range) {
      const rows = await aggregates(range).select(['org_id', 'provider', 'model']).groupBy(['org_id', 'provider', 'model']).execute();
      return rows.map((row) => ({ orgId: row.org_id, provider: row.provider, model: row.model, ...toTotals(row) }));
    },
    async byKey(range) {
      const rows = await aggregates(range).select(['org_id', 'key_id']).groupBy(['org_id', 'key_id']).execute();
      return rows.map((row) => ({ orgId: row.org_id, keyId: row.key_id, ...toTotals(row) }));
    },
    async byErrorClass(range) {
      const rows = await inRange(range)
        .where('error_class', 'is not', null)
        .select((eb) => ['org_id', 'error_class', eb.fn.countAll<number>().as('count')])
        .groupBy(['org_id', 'error_class'])
        .execute();
      return rows.map((row) => ({ orgId: row.org_id, errorClass: row.error_class as string, count: num(row.count) }));
    },
  };
}

/** USD rounded to 1e-10 (the price table's precision), so sums print the same on both dialects. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e10) / 1e10;
}
