import { sql, type Insertable, type Kysely } from 'kysely';
import type { DialectCapabilities } from '../database/dialect-capabilities';
import type { BatchUsageTable, DB } from '../schema/schema';
import type { AggregateTracesOptions, CostStatus, NewTrace, TraceAggregateRow, TraceGroupKey } from './traces.repository';

/** The usage of one Batch API result, priced at the batch price (docs/traces.md, "Batch usage"). */
export interface BatchResultUsageRecord {
  /** The client's id of the request in its batch: one row per (org, provider, source, custom_id). */
  customId: string;
  model: string | null;
  tokensIn: number;
  tokensOut: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** Null when unknown (unpriced model, no batch price). */
  costUsd: number | null;
  costStatus: CostStatus;
}

/** The batch results a fetch read (`NewTrace.batchUsage`), recorded under the fetch's org, key and start time. */
export interface BatchUsageRecord {
  /** The batch id (Anthropic) or output file id (OpenAI) the results came from. */
  sourceId: string;
  results: readonly BatchResultUsageRecord[];
}

/** Batch usage: written with the traces that read it, summed into usage reads, deleted by retention. */
export interface BatchUsageRepository {
  /**
   * Records the batch results the traces carry; a result already recorded (same org, provider, source and custom_id:
   * the same results fetched again) is skipped, so a refetch never counts twice and a retried write never fails.
   */
  insertFromTraces(traces: readonly NewTrace[]): Promise<void>;
  /** The batch results' sums in the shape of the traces' aggregate (no latency, never failed), grouped likewise. */
  aggregate(options: AggregateTracesOptions): Promise<TraceAggregateRow[]>;
  /** One retention batch: deletes up to `batchSize` of the oldest rows fetched before `cutoffIso`; returns the count. */
  deleteBatchOlderThan(cutoffIso: string, batchSize: number): Promise<number>;
}

const COLUMN_COUNT = 16;

const GROUPS = {
  org: sql<string | null>`org_id`,
  provider: sql<string | null>`provider`,
  model: sql<string | null>`model`,
  key: sql<string | null>`key_id`,
  day: sql<string | null>`substr(fetched_at, 1, 10)`,
  // The tags of the request that fetched the results (trace_tags joined by the fetch's trace id).
  tag: sql<string | null>`tag`,
} as const satisfies Record<Exclude<TraceGroupKey, 'errorClass'>, unknown>;

/** The batch usage repository over `db` (a Kysely instance or transaction). */
export function createBatchUsageRepository(db: Kysely<DB>, capabilities: DialectCapabilities): BatchUsageRepository {
  const rowsPerStatement = Math.max(1, Math.min(1000, Math.floor(capabilities.maxBindParameters / COLUMN_COUNT)));

  return {
    async insertFromTraces(traces) {
      const rows: Array<Insertable<BatchUsageTable>> = [];
      for (const trace of traces) {
        const batch = trace.batchUsage;
        if (batch === undefined || batch === null) continue;
        for (const result of batch.results) {
          rows.push({
            org_id: trace.orgId,
            provider: trace.provider,
            source_id: batch.sourceId,
            custom_id: result.customId,
            trace_id: trace.id,
            workspace_id: trace.workspaceId ?? null,
            key_id: trace.keyId ?? null,
            model: result.model,
            fetched_at: trace.startedAt,
            tokens_in: result.tokensIn,
            tokens_out: result.tokensOut,
            cache_read_tokens: result.cacheReadTokens,
            cache_write_tokens: result.cacheWriteTokens,
            cost_usd: result.costUsd,
            cost_status: result.costStatus,
          });
        }
      }
      for (let start = 0; start < rows.length; start += rowsPerStatement) {
        await db
          .insertInto('batch_usage')
          .values(rows.slice(start, start + rowsPerStatement))
          .onConflict((conflict) => conflict.columns(['org_id', 'provider', 'source_id', 'custom_id']).doNothing())
          .execute();
      }
    },

    async aggregate(options) {
      // Batch results are never failed requests (errored results carry no usage and are not recorded).
      if (options.failedOnly === true) return [];
      const keyed = options.groupBy.flatMap((key, i) => (key === 'errorClass' ? [] : [{ key, alias: `g${i}` }]));
      const from = options.groupBy.includes('tag')
        ? db.selectFrom('batch_usage').leftJoin('trace_tags', 'trace_tags.trace_id', 'batch_usage.trace_id')
        : db.selectFrom('batch_usage');
      let query = from.select([
        ...keyed.map(({ key, alias }) => GROUPS[key].as(alias)),
        sql<number>`count(*)`.as('requests'),
        sql<number>`coalesce(sum(tokens_in), 0)`.as('tokens_in'),
        sql<number>`coalesce(sum(tokens_out), 0)`.as('tokens_out'),
        sql<number>`coalesce(sum(cache_read_tokens), 0)`.as('cache_read_tokens'),
        sql<number>`coalesce(sum(cache_write_tokens), 0)`.as('cache_write_tokens'),
        sql<number>`coalesce(sum(cost_usd), 0)`.as('priced_cost_usd'),
        sql<number>`count(*) - count(cost_usd)`.as('unknown_cost_requests'),
        sql<number>`count(case when cost_status = 'estimated' then 1 end)`.as('estimated_cost_requests'),
      ]);
      if (options.orgId !== null) query = query.where('org_id', '=', options.orgId);
      if (options.from !== undefined) query = query.where('fetched_at', '>=', options.from);
      if (options.to !== undefined) query = query.where('fetched_at', '<', options.to);
      for (const { key } of keyed) query = query.groupBy(GROUPS[key]);
      const rows = (await query.execute()) as Array<Record<string, unknown>>;
      return rows
        .filter((row) => Number(row['requests']) > 0)
        .map(
          (row): TraceAggregateRow =>
            aggregateRowOf(row, options.groupBy.length, {
              batchRequests: Number(row['requests']),
              failedRequests: 0,
              latencyMsSum: 0,
            }),
        );
    },

    async deleteBatchOlderThan(cutoffIso, batchSize) {
      const limit = Math.min(100_000, Math.max(1, Math.trunc(batchSize)));
      // By the primary key of the oldest rows (both dialects: no DELETE … LIMIT on Postgres).
      const result = await db
        .deleteFrom('batch_usage')
        .where((eb) =>
          eb(
            eb.refTuple('org_id', 'provider', 'source_id', 'custom_id'),
            'in',
            eb
              .selectFrom('batch_usage as b')
              .select(['b.org_id', 'b.provider', 'b.source_id', 'b.custom_id'])
              .where('b.fetched_at', '<', cutoffIso)
              .orderBy('b.fetched_at')
              .limit(limit)
              .$asTuple('org_id', 'provider', 'source_id', 'custom_id'),
          ),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

/** Adds batch usage rows into the traces' aggregate rows, group by group (the traces' rows keep their order). */
/**
 * One row of a usage aggregate as both aggregates select it (group columns `g0…`, `requests`, token and cost sums) with
 * what differs between traces and batch results: batch result count, failed requests, latency sum.
 */
export function aggregateRowOf(
  row: Record<string, unknown>,
  groupCount: number,
  parts: Pick<TraceAggregateRow, 'batchRequests' | 'failedRequests' | 'latencyMsSum'>,
): TraceAggregateRow {
  return {
    group: Array.from({ length: groupCount }, (_unused, i) => {
      const value = row[`g${i}`];
      return typeof value === 'string' ? value : null;
    }),
    requests: Number(row['requests']),
    batchRequests: parts.batchRequests,
    failedRequests: parts.failedRequests,
    tokensIn: Number(row['tokens_in']),
    tokensOut: Number(row['tokens_out']),
    cacheReadTokens: Number(row['cache_read_tokens']),
    cacheWriteTokens: Number(row['cache_write_tokens']),
    pricedCostUsd: Number(row['priced_cost_usd']),
    unknownCostRequests: Number(row['unknown_cost_requests']),
    estimatedCostRequests: Number(row['estimated_cost_requests']),
    latencyMsSum: parts.latencyMsSum,
  };
}

export function mergeAggregateRows(traces: readonly TraceAggregateRow[], batch: readonly TraceAggregateRow[]): TraceAggregateRow[] {
  if (batch.length === 0) return [...traces];
  const byGroup = new Map<string, TraceAggregateRow>();
  const out: TraceAggregateRow[] = [];
  for (const row of traces) {
    const copy = { ...row, group: [...row.group] };
    byGroup.set(JSON.stringify(row.group), copy);
    out.push(copy);
  }
  for (const row of batch) {
    const existing = byGroup.get(JSON.stringify(row.group));
    if (existing === undefined) {
      out.push({ ...row, group: [...row.group] });
      continue;
    }
    existing.requests += row.requests;
    existing.batchRequests += row.batchRequests;
    existing.tokensIn += row.tokensIn;
    existing.tokensOut += row.tokensOut;
    existing.cacheReadTokens += row.cacheReadTokens;
    existing.cacheWriteTokens += row.cacheWriteTokens;
    existing.pricedCostUsd += row.pricedCostUsd;
    existing.unknownCostRequests += row.unknownCostRequests;
    existing.estimatedCostRequests += row.estimatedCostRequests;
  }
  return out;
}
