import {
  CompiledQuery,
  sql,
  type Expression,
  type ExpressionBuilder,
  type Insertable,
  type Kysely,
  type Selectable,
  type SqlBool,
} from 'kysely';
import type { DialectCapabilities } from '../database/dialect-capabilities';
import type { JsonValue } from '../schema/json';
import type { DB, TraceTagsTable, TracesTable } from '../schema/schema';
import { aggregateRowOf, createBatchUsageRepository, mergeAggregateRows, type BatchUsageRecord } from './batch-usage.repository';

/** How sure the cost is: priced from exact usage, estimated, or unknown (cost null). */
export type CostStatus = 'exact' | 'estimated' | 'unknown';

/** One proxied request (docs/traces.md). Durations in ms (fractional), timestamps ISO-8601 UTC. */
export interface Trace {
  /** `trc_…`, time-sortable. */
  id: string;
  orgId: string;
  workspaceId: string | null;
  keyId: string | null;
  provider: string;
  model: string | null;
  route: string;
  method: string;
  /** HTTP status the client got. */
  status: number;
  requestId: string;
  startedAt: string;
  latencyMs: number;
  ttfbMs: number | null;
  /** Time the gateway itself added. */
  overheadMs: number | null;
  tokensIn: number | null;
  tokensOut: number | null;
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
  /** Null when unknown. */
  costUsd: number | null;
  costStatus: CostStatus;
  errorClass: string | null;
  upstreamFailure: string | null;
  traceGroup: string | null;
  threadId: string | null;
  runId: string | null;
  parentTraceId: string | null;
  /** Which detector fired where and what was done; never the sensitive text. */
  policyDecisions: JsonValue | null;
  /** The name of the org's route that served the request (docs/routing.md); null when it went to its provider as is. */
  routeName: string | null;
  /**
   * A routed request's upstream attempts, in order: `{provider, model, key, status, failure, latencyMs, backoffMs}`
   * each (docs/traces.md, "Attempts"); null when not routed.
   */
  attempts: JsonValue | null;
  /** The OpenTelemetry trace id (32 hex digits) of the request's spans when OpenTelemetry is on; null otherwise. */
  otelTraceId: string | null;
  /**
   * The request's tags (`X-NavPlane-Tags`: validated, trimmed, duplicates collapsed, in the order sent); empty when it
   * sent none (docs/traces.md, "Tags").
   */
  tags: string[];
  /** Redacted bodies, only when body capture is on. */
  requestBody: string | null;
  responseBody: string | null;
  stream: boolean;
}

/** A trace as listings show it: no bodies. */
export type TraceSummary = Omit<Trace, 'requestBody' | 'responseBody'>;

type NullableTraceField = {
  [K in keyof Trace]: null extends Trace[K] ? K : never;
}[keyof Trace];

/**
 * What writing a trace needs: nullable fields may be left out (stored as null), and `tags` (none). `batchUsage`: the
 * Batch API results the request fetched, recorded beside the trace in `batch_usage` (docs/traces.md, "Batch usage").
 */
export type NewTrace = Omit<Trace, NullableTraceField | 'tags'> &
  Partial<Pick<Trace, NullableTraceField>> & { batchUsage?: BatchUsageRecord | null; tags?: readonly string[] };

/**
 * A status filter: one exact status, a class (`4xx` = 400..499) or `failed` (a failed request: status >= 400 or a
 * response that broke after it had started; see FAILED_REQUEST_SQL).
 */
export type TraceStatusFilter = number | '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | 'failed';

/** Options of TracesRepository.listByOrg: a page and optional filters (all combined with AND). */
export interface ListTracesOptions {
  /** Page size (default 50, clamped to 1..1000). */
  limit?: number;
  /** Cursor: the id of the last trace of the previous page; returns older traces only. */
  before?: string;
  /** Only this model (exact). */
  model?: string;
  /** Only this provider (`openai`, `anthropic`, …). */
  provider?: string;
  /** Only traces of this NavPlane key id. */
  keyId?: string;
  /** Only these statuses. */
  status?: TraceStatusFilter;
  /** Only traces started at or after this ISO-8601 UTC instant (inclusive). */
  from?: string;
  /** Only traces started before this ISO-8601 UTC instant (exclusive). */
  to?: string;
}

/**
 * How the admin API's usage report groups: by model, UTC day (`YYYY-MM-DD`), NavPlane key id, request tag (a request
 * counts once under each of its tags) or provider.
 */
export type UsageGroupBy = 'model' | 'day' | 'key' | 'tag' | 'provider';

/**
 * What traces can be grouped by: org, provider, model, UTC day (`YYYY-MM-DD`), NavPlane key id, error class or request
 * tag. Grouped by `tag`, a request with several tags is in the group of each (its untagged requests: the null group),
 * so the groups' sums can exceed the requests' totals.
 */
export type TraceGroupKey = 'org' | 'provider' | 'model' | 'day' | 'key' | 'errorClass' | 'tag';

/** Options of TracesRepository.aggregate. */
export interface AggregateTracesOptions {
  /** Only this org's traces; null: every org (platform reads, the CLI). */
  orgId: string | null;
  /** Group keys, in order; none: one row over every matching trace (zeros when none matched). */
  groupBy: readonly TraceGroupKey[];
  /** Inclusive lower bound on started_at (ISO-8601 UTC); default unbounded. */
  from?: string;
  /** Exclusive upper bound on started_at; default unbounded. */
  to?: string;
  /** Only failed requests (see FAILED_REQUEST_SQL). */
  failedOnly?: boolean;
}

/** One group of traces, summed in SQL. Unknown costs are counted, never summed as 0. */
export interface TraceAggregateRow {
  /** The group's value for each key of `groupBy`, in that order; null when the traces carry none. */
  group: Array<string | null>;
  /** Requests: the proxied requests plus the Batch API results recorded in the range (docs/traces.md, "Batch usage"). */
  requests: number;
  /** Of `requests`, the Batch API results (no latency, never failed). */
  batchRequests: number;
  /** Failed requests (see FAILED_REQUEST_SQL). */
  failedRequests: number;
  /** Token sums; a trace that reported no tokens adds 0. */
  tokensIn: number;
  tokensOut: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** Sum of the costs that are known (USD). */
  pricedCostUsd: number;
  /** Requests whose cost is unknown (cost_usd null): not in pricedCostUsd. */
  unknownCostRequests: number;
  /** Requests whose cost is an estimate (cost_status `estimated`). */
  estimatedCostRequests: number;
  /** Sum of the requests' total latency in ms (for averages). */
  latencyMsSum: number;
}

/** Options of TracesRepository.listFailures. */
export interface ListFailuresOptions {
  /** Only this org's traces; null: every org (platform reads, the CLI). */
  orgId: string | null;
  /** Only failures started at or after this ISO-8601 UTC instant. */
  from?: string;
  /** Most traces returned (default 20, clamped to 1..1000). */
  limit?: number;
}

/** The lineage ids a chain can follow: `X-NavPlane-Trace-Group`, `-Thread`, `-Run`. */
export type LineageKind = 'group' | 'thread' | 'run';

/** The column of each lineage kind. */
export const LINEAGE_COLUMNS = { group: 'trace_group', thread: 'thread_id', run: 'run_id' } as const;

/** Options of TracesRepository.deleteOlderThan. */
export interface DeleteOlderThanOptions {
  /** Rows per DELETE statement (default 500): each batch is its own short transaction. */
  batchSize?: number;
  /** Pause between batches in ms (default 0: yield to the event loop only), so writers get the lock. */
  pauseMs?: number;
  /** Checked between batches; returning true stops the loop (shutdown). */
  shouldStop?: () => boolean;
}

/** Traces: batched writes, lookups, the filtered request listing, usage, lineage and retention. */
export interface TracesRepository {
  /**
   * Writes the traces in one multi-row INSERT (split only past the dialect's bind-parameter limit). Idempotent:
   * a trace whose id is already stored is skipped, so a retried batch never fails on rows that landed.
   */
  insertBatch(traces: readonly NewTrace[]): Promise<void>;
  /** The trace with bodies, or undefined (callers check the org: tenancy). */
  findById(id: string): Promise<Trace | undefined>;
  /**
   * The org's traces without bodies, newest first (started_at, then id), filtered and paged by `before`.
   * An unknown or foreign cursor yields an empty page.
   */
  listByOrg(orgId: string, options?: ListTracesOptions): Promise<TraceSummary[]>;
  /** The org's traces with these ids (no bodies), in no particular order; unknown and foreign ids are skipped. */
  findSummaries(orgId: string, ids: readonly string[]): Promise<TraceSummary[]>;
  /**
   * The traces carrying lineage id `id` of `kind` — of one org, or of every org for `null` (platform reads) — oldest
   * first (started_at, id), at most `limit` (default 10000).
   */
  listByLineage(orgId: string | null, kind: LineageKind, id: string, limit?: number): Promise<TraceSummary[]>;
  /** Failed requests (see FAILED_REQUEST_SQL), newest first (started_at, then id), of one org or of every org. */
  listFailures(options: ListFailuresOptions): Promise<TraceSummary[]>;
  /**
   * The ids of the traces whose `X-Request-Id` is `requestId`, started at or after `fromIso`, newest first (at most
   * `limit`). Request ids are the client's and need not be unique. The time bound keeps the lookup on the started_at
   * index: no index of its own (one more index would slow every trace write for a rare lookup).
   */
  findIdsByRequestId(requestId: string, fromIso: string, limit: number): Promise<string[]>;
  /** Ids of the traces whose OpenTelemetry trace id is `otelTraceId` (indexed), newest first, at most `limit`. */
  findIdsByOtelTraceId(otelTraceId: string, limit: number): Promise<string[]>;
  /**
   * The org's traces whose parent is one of `parentIds`; with `withoutLineage`, only those whose id of that kind
   * is null (traces that inherit the lineage of their parent).
   */
  listChildren(orgId: string, parentIds: readonly string[], withoutLineage?: LineageKind): Promise<TraceSummary[]>;
  /**
   * Requests, failures, tokens, cost and latency of the traces in a range, grouped by `groupBy` and sorted by group
   * (key by key, nulls last); summed in SQL. The Batch API results recorded in the range (`batch_usage`) are added,
   * each grouped by its own model and counted as a request (`batchRequests`); grouped by `tag`, under the tags of the
   * request that fetched them. Grouped by `tag`, each trace counts once in the group of each of its tags (traces
   * joined to `trace_tags` by its primary key), and untagged ones in the null group.
   */
  aggregate(options: AggregateTracesOptions): Promise<TraceAggregateRow[]>;
  /**
   * Deletes every trace started before `cutoffIso` (its tags with it, and the batch usage fetched before it), in batches of short
   * statements with a yield between them (no long lock on either dialect). Returns how many rows were deleted.
   */
  deleteOlderThan(cutoffIso: string, options?: DeleteOlderThanOptions): Promise<number>;
  /**
   * One retention batch: deletes up to `batchSize` of the oldest traces started before `cutoffIso`, and as many batch
   * usage rows fetched before it; returns the count of both.
   */
  deleteBatchOlderThan(cutoffIso: string, batchSize: number): Promise<number>;
}

/** Most rows one insert statement carries (a full default batch of 200 and more fit in one). */
const MAX_ROWS_PER_INSERT = 1000;

/** Most statement texts kept, one per batch size seen; other sizes are compiled each time (still correct). */
const MAX_CACHED_INSERT_TEXTS = 64;

/** The columns of a trace summary (every column but the bodies), for queries beyond this repository. */
export const TRACE_SUMMARY_COLUMNS = [
  'id',
  'org_id',
  'workspace_id',
  'key_id',
  'provider',
  'model',
  'route',
  'method',
  'status',
  'request_id',
  'started_at',
  'latency_ms',
  'ttfb_ms',
  'overhead_ms',
  'tokens_in',
  'tokens_out',
  'cache_read_tokens',
  'cache_write_tokens',
  'cost_usd',
  'cost_status',
  'error_class',
  'upstream_failure',
  'trace_group',
  'thread_id',
  'run_id',
  'parent_trace_id',
  'policy_decisions',
  'route_name',
  'attempts',
  'otel_trace_id',
  'tags',
  'stream',
] as const;

/** A row with the summary columns, as selected with TRACE_SUMMARY_COLUMNS. */
export type TraceSummaryRow = Pick<Selectable<TracesTable>, (typeof TRACE_SUMMARY_COLUMNS)[number]>;

/** Maps a selected summary row to a TraceSummary (numbers, JSON and booleans decoded per dialect). */
export function traceSummaryFromRow(row: TraceSummaryRow, capabilities: DialectCapabilities): TraceSummary {
  return {
    id: row.id,
    orgId: row.org_id,
    workspaceId: row.workspace_id,
    keyId: row.key_id,
    provider: row.provider,
    model: row.model,
    route: row.route,
    method: row.method,
    status: row.status,
    requestId: row.request_id,
    startedAt: row.started_at,
    latencyMs: row.latency_ms,
    ttfbMs: row.ttfb_ms,
    overheadMs: row.overhead_ms,
    tokensIn: row.tokens_in,
    tokensOut: row.tokens_out,
    cacheReadTokens: row.cache_read_tokens,
    cacheWriteTokens: row.cache_write_tokens,
    costUsd: row.cost_usd,
    costStatus: row.cost_status as CostStatus,
    errorClass: row.error_class,
    upstreamFailure: row.upstream_failure,
    traceGroup: row.trace_group,
    threadId: row.thread_id,
    runId: row.run_id,
    parentTraceId: row.parent_trace_id,
    policyDecisions: row.policy_decisions === null ? null : capabilities.json.decode(row.policy_decisions),
    routeName: row.route_name,
    attempts: row.attempts === null ? null : capabilities.json.decode(row.attempts),
    otelTraceId: row.otel_trace_id,
    tags: row.tags === null ? [] : capabilities.json.decode<string[]>(row.tags),
    stream: capabilities.boolean.decode(row.stream),
  };
}

/** The traces repository over `db` (a Kysely instance or transaction). */
export function createTracesRepository(db: Kysely<DB>, capabilities: DialectCapabilities): TracesRepository {
  const toRow = (trace: NewTrace): Insertable<TracesTable> => ({
    // Every column spelled out: multi-row VALUES need the same columns in every row on both dialects.
    id: trace.id,
    org_id: trace.orgId,
    workspace_id: trace.workspaceId ?? null,
    key_id: trace.keyId ?? null,
    provider: trace.provider,
    model: trace.model ?? null,
    route: trace.route,
    method: trace.method,
    status: trace.status,
    request_id: trace.requestId,
    started_at: trace.startedAt,
    latency_ms: trace.latencyMs,
    ttfb_ms: trace.ttfbMs ?? null,
    overhead_ms: trace.overheadMs ?? null,
    tokens_in: trace.tokensIn ?? null,
    tokens_out: trace.tokensOut ?? null,
    cache_read_tokens: trace.cacheReadTokens ?? null,
    cache_write_tokens: trace.cacheWriteTokens ?? null,
    cost_usd: trace.costUsd ?? null,
    cost_status: trace.costStatus,
    error_class: trace.errorClass ?? null,
    upstream_failure: trace.upstreamFailure ?? null,
    trace_group: trace.traceGroup ?? null,
    thread_id: trace.threadId ?? null,
    run_id: trace.runId ?? null,
    parent_trace_id: trace.parentTraceId ?? null,
    policy_decisions:
      trace.policyDecisions === undefined || trace.policyDecisions === null ? null : capabilities.json.encode(trace.policyDecisions),
    route_name: trace.routeName ?? null,
    attempts: trace.attempts === undefined || trace.attempts === null ? null : capabilities.json.encode(trace.attempts),
    otel_trace_id: trace.otelTraceId ?? null,
    tags: trace.tags === undefined || trace.tags.length === 0 ? null : capabilities.json.encode([...trace.tags]),
    request_body: trace.requestBody ?? null,
    response_body: trace.responseBody ?? null,
    stream: capabilities.boolean.encode(trace.stream),
  });

  const toSummary = (row: TraceSummaryRow): TraceSummary => traceSummaryFromRow(row, capabilities);
  const batchUsage = createBatchUsageRepository(db, capabilities);

  // Batches are written with one cached statement text per row count: building and compiling a 200-row insert
  // through the query builder cost more than the insert itself (most of the trace thread's CPU under load). The
  // text comes from the builder once per size (so it is the same SQL, dialect and conflict clause), and the
  // parameters are the rows' values in the builder's order: row by row, each row's columns in the order `toRow`
  // names them (every row has them all, in that order).
  // Every column of a row: the summary's and the two bodies (SQLite binds at most maxBindParameters per statement).
  const COLUMN_COUNT = TRACE_SUMMARY_COLUMNS.length + 2;
  const rowsPerStatement = Math.max(1, Math.min(MAX_ROWS_PER_INSERT, Math.floor(capabilities.maxBindParameters / COLUMN_COUNT)));
  const tagRowsPerStatement = Math.min(MAX_ROWS_PER_INSERT, Math.floor(capabilities.maxBindParameters / 2));
  const insertTexts = new Map<number, { text: string; columns: ReadonlyArray<keyof Insertable<TracesTable>> }>();
  const insertStatement = (rows: readonly [Insertable<TracesTable>, ...Insertable<TracesTable>[]]): CompiledQuery => {
    let compiled = insertTexts.get(rows.length);
    if (compiled === undefined) {
      const first = rows[0];
      const text = db
        .insertInto('traces')
        .values(rows.map(() => first))
        .onConflict((conflict) => conflict.column('id').doNothing())
        .compile().sql;
      compiled = { text, columns: Object.keys(first) as Array<keyof Insertable<TracesTable>> };
      if (insertTexts.size < MAX_CACHED_INSERT_TEXTS) insertTexts.set(rows.length, compiled);
    }
    const parameters: unknown[] = [];
    for (const row of rows) for (const column of compiled.columns) parameters.push(row[column]);
    return CompiledQuery.raw(compiled.text, parameters);
  };

  // One short statement (its own transaction), oldest first through traces_started_idx.
  const deleteBatchOlderThan = async (cutoffIso: string, batchSize: number): Promise<number> => {
    const batchRows = await batchUsage.deleteBatchOlderThan(cutoffIso, batchSize);
    const result = await db
      .deleteFrom('traces')
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('traces')
          .select('id')
          .where('started_at', '<', cutoffIso)
          .orderBy('started_at')
          .orderBy('id')
          .limit(clampLimit(batchSize, 500, 100_000)),
      )
      .executeTakeFirst();
    return batchRows + Number(result.numDeletedRows);
  };

  // Writes a batch over `target` (the database, or the transaction of a batch with tags).
  const writeBatch = async (target: Kysely<DB>, traces: readonly NewTrace[], tags: ReadonlyArray<Insertable<TraceTagsTable>>) => {
    for (let start = 0; start < traces.length; start += rowsPerStatement) {
      // Idempotent: a retry after an unacknowledged commit (connection lost) or a partly written split batch
      // must not fail on the rows that did land; ids are random enough never to collide otherwise.
      const [first, ...rest] = traces.slice(start, start + rowsPerStatement).map(toRow);
      if (first !== undefined) await target.executeQuery(insertStatement([first, ...rest]));
    }
    // After their traces (the foreign key); a retried batch skips the tags already written, like the traces.
    for (let start = 0; start < tags.length; start += tagRowsPerStatement) {
      await target
        .insertInto('trace_tags')
        .values(tags.slice(start, start + tagRowsPerStatement))
        .onConflict((conflict) => conflict.columns(['trace_id', 'tag']).doNothing())
        .execute();
    }
    // After the traces: a retried batch finds both already written and skips them.
    if (traces.some((trace) => trace.batchUsage != null)) {
      await (target === db ? batchUsage : createBatchUsageRepository(target, capabilities)).insertFromTraces(traces);
    }
  };

  return {
    async insertBatch(traces) {
      const tags = tagRowsOf(traces);
      // A batch without tags stays the statements it was (no transaction to open); with tags, the traces and their
      // tags commit together, so a tag never outlives or misses its trace (docs/storage.md, "Tags").
      if (tags.length === 0 || db.isTransaction) await writeBatch(db, traces, tags);
      else await db.transaction().execute((trx) => writeBatch(trx, traces, tags));
    },
    async findById(id) {
      const row = await db.selectFrom('traces').selectAll().where('id', '=', id).executeTakeFirst();
      return row && { ...toSummary(row), requestBody: row.request_body, responseBody: row.response_body };
    },
    async listByOrg(orgId, options = {}) {
      const limit = clampLimit(options.limit, 50, 1000);
      const rows = await db
        .selectFrom('traces')
        .select(TRACE_SUMMARY_COLUMNS)
        .where((eb) => eb.and(listingTerms(eb, orgId, options)))
        .orderBy('started_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toSummary);
    },
    async findSummaries(orgId, ids) {
      const found: TraceSummary[] = [];
      for (const chunk of chunks(ids, ID_CHUNK)) {
        // By primary key only, the org checked here: with `org_id = ?` in the SQL, SQLite's planner (no
        // statistics) walks the org's index instead of looking the ids up.
        const rows = await db.selectFrom('traces').select(TRACE_SUMMARY_COLUMNS).where('id', 'in', chunk).execute();
        for (const row of rows) if (row.org_id === orgId) found.push(toSummary(row));
      }
      return found;
    },
    async listByLineage(orgId, kind, id, limit = 10_000) {
      let query = db.selectFrom('traces').select(TRACE_SUMMARY_COLUMNS).where(LINEAGE_COLUMNS[kind], '=', id);
      if (orgId !== null) query = query.where('org_id', '=', orgId);
      const rows = await query
        .orderBy('started_at')
        .orderBy('id')
        .limit(Math.max(1, Math.trunc(limit)))
        .execute();
      return rows.map(toSummary);
    },
    async findIdsByOtelTraceId(otelTraceId, limit) {
      const rows = await db
        .selectFrom('traces')
        .select('id')
        .where('otel_trace_id', '=', otelTraceId)
        .orderBy('started_at', 'desc')
        .orderBy('id', 'desc')
        .limit(clampLimit(limit, 10, 1000))
        .execute();
      return rows.map((row) => row.id);
    },
    async findIdsByRequestId(requestId, fromIso, limit) {
      const rows = await db
        .selectFrom('traces')
        .select('id')
        .where('started_at', '>=', fromIso)
        .where('request_id', '=', requestId)
        .orderBy('started_at', 'desc')
        .orderBy('id', 'desc')
        .limit(clampLimit(limit, 10, 1000))
        .execute();
      return rows.map((row) => row.id);
    },
    async listFailures(options) {
      const rows = await db
        .selectFrom('traces')
        .select(TRACE_SUMMARY_COLUMNS)
        .where((eb) => eb.and(listingTerms(eb, options.orgId, { status: 'failed', from: options.from })))
        .orderBy('started_at', 'desc')
        .orderBy('id', 'desc')
        .limit(clampLimit(options.limit, 20, 1000))
        .execute();
      return rows.map(toSummary);
    },
    async listChildren(orgId, parentIds, withoutLineage) {
      const found: TraceSummary[] = [];
      for (const chunk of chunks(parentIds, ID_CHUNK)) {
        let query = db.selectFrom('traces').select(TRACE_SUMMARY_COLUMNS).where('parent_trace_id', 'in', chunk).where('org_id', '=', orgId);
        if (withoutLineage !== undefined) query = query.where(LINEAGE_COLUMNS[withoutLineage], 'is', null);
        found.push(...(await query.execute()).map(toSummary));
      }
      return found;
    },
    async aggregate(options) {
      const groups = options.groupBy.map((key, i) => TRACE_GROUPS[key].as(`g${i}`));
      // By tag: each trace of the range joined to its tags through trace_tags' primary key (a trace without tags once,
      // with a null tag), so the range is still read from the traces' org/time indexes (docs/storage.md, "Tags").
      const from = options.groupBy.includes('tag')
        ? db.selectFrom('traces').leftJoin('trace_tags', 'trace_tags.trace_id', 'traces.id')
        : db.selectFrom('traces');
      let query = from
        .select([
          ...groups,
          sql<number>`count(*)`.as('requests'),
          sql<number>`count(case when ${FAILED} then 1 end)`.as('failed_requests'),
          sql<number>`coalesce(sum(tokens_in), 0)`.as('tokens_in'),
          sql<number>`coalesce(sum(tokens_out), 0)`.as('tokens_out'),
          sql<number>`coalesce(sum(cache_read_tokens), 0)`.as('cache_read_tokens'),
          sql<number>`coalesce(sum(cache_write_tokens), 0)`.as('cache_write_tokens'),
          sql<number>`coalesce(sum(cost_usd), 0)`.as('priced_cost_usd'),
          // count(col) skips NULLs: the difference is the number of traces whose cost is unknown.
          sql<number>`count(*) - count(cost_usd)`.as('unknown_cost_requests'),
          sql<number>`count(case when cost_status = 'estimated' then 1 end)`.as('estimated_cost_requests'),
          sql<number>`coalesce(sum(latency_ms), 0)`.as('latency_ms_sum'),
        ])
        .where((eb) =>
          eb.and(
            listingTerms(eb, options.orgId, { from: options.from, to: options.to, status: options.failedOnly ? 'failed' : undefined }),
          ),
        );
      for (const key of options.groupBy) query = query.groupBy(TRACE_GROUPS[key]);
      const rows = (await query.execute()) as Array<Record<string, unknown>>;
      const batchRows = await batchUsage.aggregate(options);
      const traceRows = rows.map(
        (row): TraceAggregateRow =>
          aggregateRowOf(row, options.groupBy.length, {
            batchRequests: 0,
            failedRequests: Number(row['failed_requests']),
            latencyMsSum: Number(row['latency_ms_sum']),
          }),
      );
      return mergeAggregateRows(traceRows, batchRows).sort((a, b) => compareGroupTuples(a.group, b.group));
    },
    async deleteOlderThan(cutoffIso, options = {}) {
      const batchSize = clampLimit(options.batchSize, 500, 100_000);
      let deleted = 0;
      while (!(options.shouldStop?.() ?? false)) {
        const count = await deleteBatchOlderThan(cutoffIso, batchSize);
        deleted += count;
        if (count < batchSize) break;
        await pause(options.pauseMs ?? 0);
      }
      return deleted;
    },
    deleteBatchOlderThan,
  };
}

/** Most ids bound in one `in (…)` list (well under both dialects' bind limits). */
const ID_CHUNK = 500;

/** A grouping column's value: every TRACE_GROUPS column is text (or NULL). */

const TRACE_GROUPS = {
  org: sql<string | null>`org_id`,
  provider: sql<string | null>`provider`,
  model: sql<string | null>`model`,
  key: sql<string | null>`key_id`,
  // ISO-8601 text: the first 10 characters are the UTC day on both dialects.
  day: sql<string | null>`substr(started_at, 1, 10)`,
  errorClass: sql<string | null>`error_class`,
  // Only with trace_tags joined (aggregate); no traces column is named `tag`.
  tag: sql<string | null>`tag`,
} as const satisfies Record<TraceGroupKey, unknown>;

const STATUS_CLASSES = {
  '1xx': [100, 200],
  '2xx': [200, 300],
  '3xx': [300, 400],
  '4xx': [400, 500],
  '5xx': [500, 600],
} as const satisfies Record<Exclude<TraceStatusFilter, number | 'failed'>, readonly [number, number]>;

/**
 * The one definition of a failed request, for every read (docs/traces.md, "Failed requests"): the client got a
 * status >= 400 (an upstream error passed through, or NavPlane's own refusal — 502/504 for network errors and
 * timeouts included), or the response broke after it had started (any error class but `client_aborted`: the
 * upstream aborted or went silent mid-stream). A client that went away is not a failed request.
 *
 * It is also the predicate of the partial index traces_org_failed_idx (migration 2026_12_07_0003), and is spelled
 * here as literal SQL because SQLite uses a partial index only when the query contains the index's WHERE term
 * itself (bound parameters would not match it).
 */
export const FAILED_REQUEST_SQL = "(status >= 400 or (error_class is not null and error_class <> 'client_aborted'))";

const FAILED = sql.raw<SqlBool>(FAILED_REQUEST_SQL);

type ListingFilters = Pick<ListTracesOptions, 'before' | 'model' | 'provider' | 'keyId' | 'status' | 'from' | 'to'>;

function listingTerms(eb: ExpressionBuilder<DB, 'traces'>, orgId: string | null, filters: ListingFilters): Array<Expression<SqlBool>> {
  const terms: Array<Expression<SqlBool>> = [];
  if (orgId !== null) terms.push(eb('org_id', '=', orgId));
  if (filters.model !== undefined) terms.push(eb('model', '=', filters.model));
  if (filters.provider !== undefined) terms.push(eb('provider', '=', filters.provider));
  if (filters.keyId !== undefined) terms.push(eb('key_id', '=', filters.keyId));
  if (filters.from !== undefined) terms.push(eb('started_at', '>=', filters.from));
  if (filters.to !== undefined) terms.push(eb('started_at', '<', filters.to));
  const status = filters.status;
  // Every status >= 400 is a failed request: the FAILED term lets both dialects read the small partial index.
  if (status === 'failed') {
    terms.push(FAILED);
  } else if (typeof status === 'number') {
    if (status >= 400) terms.push(FAILED);
    terms.push(eb('status', '=', status));
  } else if (status !== undefined) {
    const [low, high] = STATUS_CLASSES[status];
    if (low >= 400) terms.push(FAILED);
    terms.push(eb('status', '>=', low), eb('status', '<', high));
  }
  if (filters.before !== undefined && orgId !== null) {
    // Keyset paging on (started_at, id), the order of the listing indexes. An unknown or foreign cursor
    // matches nothing, so the page is empty rather than leaking another org's position.
    terms.push(
      sql<SqlBool>`(started_at, id) < (select c.started_at, c.id from traces c where c.id = ${filters.before} and c.org_id = ${orgId})`,
    );
  }
  return terms;
}

/** The trace_tags rows of a batch: each trace's tags once. */
function tagRowsOf(traces: readonly NewTrace[]): Array<Insertable<TraceTagsTable>> {
  const rows: Array<Insertable<TraceTagsTable>> = [];
  for (const trace of traces) {
    if (trace.tags === undefined || trace.tags.length === 0) continue;
    for (const tag of new Set(trace.tags)) rows.push({ trace_id: trace.id, tag });
  }
  return rows;
}

function clampLimit(value: number | undefined, fallback: number, max: number): number {
  return Math.min(max, Math.max(1, Math.trunc(value ?? fallback)));
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

// Group tuples sort key by key.
function compareGroupTuples(a: ReadonlyArray<string | null>, b: ReadonlyArray<string | null>): number {
  for (let i = 0; i < a.length; i += 1) {
    const order = compareGroups(a[i] ?? null, b[i] ?? null);
    if (order !== 0) return order;
  }
  return 0;
}

// Groups sort by code units (as SQL text compares under the C collation), nulls last on both dialects.
function compareGroups(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => (ms > 0 ? setTimeout(resolve, ms) : setImmediate(resolve)));
}
