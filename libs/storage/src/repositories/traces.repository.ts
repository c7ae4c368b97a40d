import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { DialectCapabilities } from '../database/dialect-capabilities';
import type { JsonValue } from '../schema/json';
import type { DB, TracesTable } from '../schema/schema';

/** How sure the cost is: priced from exact usage, estimated, or unknown (cost null). */
export type CostStatus = 'exact' | 'estimated' | 'unknown';

/** One proxied request (CONTRACT §5). Durations in ms (fractional), timestamps ISO-8601 UTC. */
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

/** What writing a trace needs: nullable fields may be left out (stored as null). */
export type NewTrace = Omit<Trace, NullableTraceField> & Partial<Pick<Trace, NullableTraceField>>;

/** Options of TracesRepository.listByOrg. */
export interface ListTracesOptions {
  /** Page size (default 50, clamped to 1..1000). */
  limit?: number;
  /** Cursor: the id of the last trace of the previous page; returns older traces only. */
  before?: string;
}

/** Traces: batched writes, lookups and the request listing. */
export interface TracesRepository {
  /** Writes the traces in one multi-row INSERT (split only past the dialect's bind-parameter limit). */
  insertBatch(traces: readonly NewTrace[]): Promise<void>;
  /** The trace with bodies, or undefined (callers check the org: tenancy). */
  findById(id: string): Promise<Trace | undefined>;
  /** The org's traces without bodies, newest first (started_at, then id), paged by `before`. */
  listByOrg(orgId: string, options?: ListTracesOptions): Promise<TraceSummary[]>;
}

const COLUMN_COUNT = 30;

const SUMMARY_COLUMNS = [
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
  'stream',
] as const;

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
      trace.policyDecisions === undefined || trace.policyDecisions === null
        ? null
        : capabilities.json.encode(trace.policyDecisions),
    request_body: trace.requestBody ?? null,
    response_body: trace.responseBody ?? null,
    stream: capabilities.boolean.encode(trace.stream),
  });

  const toSummary = (row: Pick<Selectable<TracesTable>, (typeof SUMMARY_COLUMNS)[number]>): TraceSummary => ({
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
    stream: capabilities.boolean.decode(row.stream),
  });

  const rowsPerStatement = Math.max(1, Math.floor(capabilities.maxBindParameters / COLUMN_COUNT));

  return {
    async insertBatch(traces) {
      for (let start = 0; start < traces.length; start += rowsPerStatement) {
        await db
          .insertInto('traces')
          .values(traces.slice(start, start + rowsPerStatement).map(toRow))
          .execute();
      }
    },
    async findById(id) {
      const row = await db.selectFrom('traces').selectAll().where('id', '=', id).executeTakeFirst();
      return row && { ...toSummary(row), requestBody: row.request_body, responseBody: row.response_body };
    },
    async listByOrg(orgId, options = {}) {
      const limit = Math.min(1000, Math.max(1, Math.trunc(options.limit ?? 50)));
      let query = db.selectFrom('traces').select(SUMMARY_COLUMNS).where('org_id', '=', orgId);
      if (options.before !== undefined) {
        // Keyset paging on (started_at, id), the order of traces_org_started_idx. An unknown or foreign
        // cursor matches nothing, so the page is empty rather than leaking another org's position.
        query = query.where(
          sql<boolean>`(started_at, id) < (select c.started_at, c.id from traces c where c.id = ${options.before} and c.org_id = ${orgId})`,
        );
      }
      const rows = await query.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return rows.map(toSummary);
    },
  };
}
