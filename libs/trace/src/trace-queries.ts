import { AppError, err, ID_PREFIXES, isId, newId, ok, systemClock, toIso, type Clock, type Result } from '@navplane/core';
import type { LineageKind, Repositories, Trace, TraceFork, TraceGroupKey, TraceSummary, UsageGroupBy } from '@navplane/storage';
import { invalidParam, parseCursor, parseInstant, parseLimit, parseRange, parseStatus, parseText } from './query-input';
import { createLineageReader, MAX_CHAIN_TRACES, type ChainView, type ReplayView } from './trace-lineage';
import { trafficSummary, usageReport, type TrafficSummary, type UsageReport } from './usage-report';

/** Default and largest page of the request listing. */
export const DEFAULT_REQUESTS_LIMIT = 50;
export const MAX_REQUESTS_LIMIT = 1000;

/** Default and largest number of failures listed at once. */
export const DEFAULT_FAILURES_LIMIT = 20;
export const MAX_FAILURES_LIMIT = 1000;

const GROUP_KEYS: readonly TraceGroupKey[] = ['org', 'provider', 'model', 'day', 'key', 'errorClass', 'tag'];

/** The groupings of the admin API's usage report. */
export const USAGE_GROUP_KEYS: readonly UsageGroupBy[] = ['model', 'day', 'key', 'tag', 'provider'];

/** What the trace queries read and write. */
export interface TraceQueriesDeps {
  readonly repos: Pick<Repositories, 'traces' | 'traceForks' | 'auditLog' | 'transaction'>;
  /** Time of forks and their audit records (default: the system clock). */
  readonly clock?: Clock;
}

/** Filters and page of the request listing (as the admin API's query string carries them). */
export interface ListRequestsInput {
  /** Page size, 1-1000 (default 50). */
  limit?: number;
  /** Cursor: `nextCursor` of the previous page. */
  before?: string;
  model?: string;
  provider?: string;
  keyId?: string;
  /** A status code (`429`), a class (`2xx`, `4xx`, `5xx`) or `failed` (>= 400). */
  status?: number | string;
  /** Inclusive start: `YYYY-MM-DD` or ISO-8601 with a zone. */
  from?: string;
  /** Exclusive end. */
  to?: string;
}

/** One page of requests, newest first; `nextCursor` is null on the last page. */
export interface RequestPage {
  data: TraceSummary[];
  nextCursor: string | null;
}

/** Range and grouping of a usage report. */
export interface UsageInput {
  groupBy: UsageGroupBy;
  from?: string;
  to?: string;
}

/** A traffic summary's scope and grouping. */
export interface SummarizeInput {
  /** One org, or null for every org (platform reads). */
  orgId: string | null;
  /** Group keys, in order (at most 3, none repeated; none: totals only). */
  groupBy: readonly TraceGroupKey[];
  /** Inclusive start: `YYYY-MM-DD` or ISO-8601 with a zone. */
  from?: string;
  /** Exclusive end. */
  to?: string;
  /** Only failed requests (e.g. grouped by `errorClass`: why requests failed). */
  failedOnly?: boolean;
}

/** Which failures to list. */
export interface FailuresInput {
  /** One org, or null for every org (platform reads). */
  orgId: string | null;
  /** Only failures started at or after this instant: `YYYY-MM-DD` or ISO-8601 with a zone. */
  from?: string;
  /** How many, 1-1000 (default 20). */
  limit?: number;
}

/** The traces carrying one lineage id, oldest first (started_at, id), as stored (no chain reconstruction). */
export interface LineageTraces {
  traces: TraceSummary[];
  /** More than MAX_CHAIN_TRACES traces matched; the oldest were kept. */
  truncated: boolean;
}

/** Which lineage id to follow: exactly one of group, thread or run. */
export type ChainInput = { orgId: string } & (
  | { group: string; thread?: undefined; run?: undefined }
  | { thread: string; group?: undefined; run?: undefined }
  | { run: string; group?: undefined; thread?: undefined }
);

/** Who forks (structurally an audit actor: `admin_token`/`gateway_key`/`cli`, its id, the client address). */
export interface ForkActor {
  type: string;
  id: string | null;
  ip?: string | null;
}

/** A created fork and the headers that continue it. */
export interface ForkCreated {
  fork: TraceFork;
  /** Send these on the next requests to continue the new run from the checkpoint. */
  continueWith: { 'X-NavPlane-Run': string; 'X-NavPlane-Parent-Trace': string };
}

/**
 * The trace use cases behind the admin API's request/trace/usage routes and the CLI. `orgId` null means the
 * platform (every org); another org's trace is `not_found`, exactly like a missing one.
 */
export interface TraceQueries {
  /** One trace with its (redacted) bodies. */
  getTrace(orgId: string | null, traceId: string): Promise<Result<Trace, AppError>>;
  /**
   * The traces of a request by its `X-Request-Id` (the client's, or the one the gateway generated), started since
   * `since`, newest first, of one org or (null) of every org: several when a client reused an id.
   */
  tracesByRequestId(orgId: string | null, requestId: string, since: string): Promise<Result<Trace[], AppError>>;
  /**
   * The traces of a request by its OpenTelemetry trace id (32 hex digits, docs/observability.md), newest first, of one
   * org or (null) of every org: several when a client sent one traceparent with several requests.
   */
  tracesByOtelTraceId(orgId: string | null, otelTraceId: string): Promise<Result<Trace[], AppError>>;
  /** The org's requests, newest first, filtered, paged by cursor. */
  listRequests(orgId: string, input?: ListRequestsInput): Promise<Result<RequestPage, AppError>>;
  /**
   * Tokens and cost by model, UTC day, key, tag or provider over [from, to); unknown costs are reported, never summed
   * as 0. By tag, a request counts under each of its tags (untagged: the null group), so the rows can add up to more
   * than `totals`, which count every request once.
   */
  usage(orgId: string, input: UsageInput): Promise<Result<UsageReport, AppError>>;
  /**
   * Requests, failed requests, tokens, cost (unknown costs counted apart, never as $0) and mean latency over
   * [from, to), grouped by `groupBy`, with totals. The CLI's `report` is built from it.
   */
  summarize(input: SummarizeInput): Promise<Result<TrafficSummary, AppError>>;
  /** The newest failed requests (docs/traces.md, "Failed requests"), newest first: the CLI's `debug`. */
  failures(input: FailuresInput): Promise<Result<TraceSummary[], AppError>>;
  /** Every trace carrying lineage id `id` of `kind`, of one org or (null) of every org, oldest first. */
  lineageTraces(orgId: string | null, kind: LineageKind, id: string): Promise<Result<LineageTraces, AppError>>;
  /** The chain of a trace group, thread or run, in its deterministic order (a forked run starts with its source). */
  chain(input: ChainInput): Promise<Result<ChainView, AppError>>;
  /** The chain as it stood at checkpoint `traceId`, ending with it. Changes nothing. */
  replay(orgId: string | null, traceId: string): Promise<Result<ReplayView, AppError>>;
  /** Records a new run continuing from checkpoint `traceId` (and its audit record); no trace row changes. */
  fork(orgId: string | null, traceId: string, actor: ForkActor): Promise<Result<ForkCreated, AppError>>;
}

/** A W3C trace id: 32 hex digits (docs/observability.md). */
export const OTEL_TRACE_ID = /^[0-9a-f]{32}$/i;

const notFound = (): Result<never, AppError> => err(new AppError('not_found', 'No such trace'));

// Run and fork ids reuse the trace id's time-sortable body under their own prefix.
const idBody = (nowMs: number) => newId('trace', nowMs).slice(ID_PREFIXES.trace.length + 1);

/** The trace queries over `repos` (create once and share). */
export function createTraceQueries(deps: TraceQueriesDeps): TraceQueries {
  const { repos } = deps;
  const clock = deps.clock ?? systemClock;
  const lineage = createLineageReader(repos);

  /** Traces listed for one X-Request-Id at most (a client reusing an id). */
  const MAX_REQUEST_ID_MATCHES = 20;

  async function visible(orgId: string | null, traceId: string): Promise<Trace | undefined> {
    if (!isId('trace', traceId)) return undefined;
    const trace = await repos.traces.findById(traceId);
    return trace !== undefined && (orgId === null || trace.orgId === orgId) ? trace : undefined;
  }

  return {
    async getTrace(orgId, traceId) {
      const trace = await visible(orgId, traceId);
      return trace === undefined ? notFound() : ok(trace);
    },

    async tracesByRequestId(orgId, requestId, since) {
      const from = parseInstant('since', since);
      if (!from.ok) return from;
      if (requestId === '' || requestId.length > 200) return invalidParam('requestId', 'must be 1-200 characters');
      const ids = await repos.traces.findIdsByRequestId(requestId, from.value ?? since, MAX_REQUEST_ID_MATCHES);
      const found = await Promise.all(ids.map((id) => visible(orgId, id)));
      return ok(found.filter((trace): trace is Trace => trace !== undefined));
    },

    async tracesByOtelTraceId(orgId, otelTraceId) {
      if (!OTEL_TRACE_ID.test(otelTraceId)) return invalidParam('otelTraceId', 'must be 32 hexadecimal digits');
      const ids = await repos.traces.findIdsByOtelTraceId(otelTraceId.toLowerCase(), MAX_REQUEST_ID_MATCHES);
      const found = await Promise.all(ids.map((id) => visible(orgId, id)));
      return ok(found.filter((trace): trace is Trace => trace !== undefined));
    },

    async listRequests(orgId, input = {}) {
      const limit = parseLimit(input.limit, DEFAULT_REQUESTS_LIMIT, MAX_REQUESTS_LIMIT);
      if (!limit.ok) return limit;
      const before = parseCursor(input.before);
      if (!before.ok) return before;
      const status = parseStatus(input.status);
      if (!status.ok) return status;
      const range = parseRange(input.from, input.to);
      if (!range.ok) return range;
      for (const param of ['model', 'provider', 'keyId'] as const) {
        const checked = parseText(param, input[param]);
        if (!checked.ok) return checked;
      }
      const data = await repos.traces.listByOrg(orgId, {
        limit: limit.value,
        before: before.value,
        model: input.model,
        provider: input.provider,
        keyId: input.keyId,
        status: status.value,
        ...range.value,
      });
      const last = data[data.length - 1];
      return ok({ data, nextCursor: data.length === limit.value && last !== undefined ? last.id : null });
    },

    async usage(orgId, input) {
      if (!USAGE_GROUP_KEYS.includes(input.groupBy)) return invalidParam('groupBy', `groupBy must be ${USAGE_GROUP_KEYS.join(', ')}`);
      const range = parseRange(input.from, input.to);
      if (!range.ok) return range;
      const rows = await repos.traces.aggregate({ orgId, groupBy: [input.groupBy], ...range.value });
      // By tag, the groups overlap: the totals are summed apart, each request once.
      const totals = input.groupBy === 'tag' ? await repos.traces.aggregate({ orgId, groupBy: [], ...range.value }) : rows;
      return ok(usageReport(rows, input.groupBy, range.value, totals));
    },

    async summarize(input) {
      const { groupBy } = input;
      if (groupBy.length > 3 || new Set(groupBy).size !== groupBy.length || groupBy.some((key) => !GROUP_KEYS.includes(key))) {
        return invalidParam('groupBy', `groupBy must be up to 3 different keys of ${GROUP_KEYS.join(', ')}`);
      }
      const range = parseRange(input.from, input.to);
      if (!range.ok) return range;
      const scope = { orgId: input.orgId, failedOnly: input.failedOnly === true, ...range.value };
      const rows = await repos.traces.aggregate({ ...scope, groupBy });
      // By tag, the groups overlap: the totals are summed apart (by the other keys), each request once.
      const totals = groupBy.includes('tag') ? await repos.traces.aggregate({ ...scope, groupBy: [] }) : rows;
      return ok(trafficSummary(rows, groupBy, range.value, totals));
    },

    async failures(input) {
      const limit = parseLimit(input.limit, DEFAULT_FAILURES_LIMIT, MAX_FAILURES_LIMIT);
      if (!limit.ok) return limit;
      const from = parseInstant('from', input.from);
      if (!from.ok) return from;
      return ok(await repos.traces.listFailures({ orgId: input.orgId, from: from.value, limit: limit.value }));
    },

    async lineageTraces(orgId, kind, id) {
      const checked = parseText(kind, id);
      if (!checked.ok) return checked;
      const traces = await repos.traces.listByLineage(orgId, kind, id, MAX_CHAIN_TRACES + 1);
      return ok({ traces: traces.slice(0, MAX_CHAIN_TRACES), truncated: traces.length > MAX_CHAIN_TRACES });
    },

    async chain(input) {
      const [kind, ...others] = (['group', 'thread', 'run'] as const).filter((scope) => input[scope] !== undefined);
      if (kind === undefined || others.length > 0) return invalidParam('group', 'give exactly one of group, thread or run');
      const id = parseText(kind, input[kind]);
      if (!id.ok || id.value === undefined) return invalidParam(kind, `${kind} must be 1 to 200 characters`);
      return ok(await lineage.chain(input.orgId, { kind, id: id.value }));
    },

    async replay(orgId, traceId) {
      const checkpoint = await visible(orgId, traceId);
      if (checkpoint === undefined) return notFound();
      return ok(await lineage.replay(checkpoint.orgId, summaryOf(checkpoint)));
    },

    async fork(orgId, traceId, actor) {
      const checkpoint = await visible(orgId, traceId);
      if (checkpoint === undefined) return notFound();
      const nowMs = clock.nowMs();
      const fork: TraceFork = {
        id: `frk_${idBody(nowMs)}`,
        orgId: checkpoint.orgId,
        sourceTraceId: checkpoint.id,
        newRunId: `run_${idBody(nowMs)}`,
        createdAt: toIso(nowMs),
        createdBy: actor.id === null ? actor.type : `${actor.type}:${actor.id}`,
      };
      await repos.transaction(async (trx) => {
        await trx.traceForks.insert(fork);
        await trx.auditLog.append({
          id: newId('audit', nowMs),
          at: fork.createdAt,
          actorType: actor.type,
          actorId: actor.id,
          ip: actor.ip ?? null,
          orgId: fork.orgId,
          action: 'trace.fork',
          targetType: 'trace',
          targetId: checkpoint.id,
          details: { forkId: fork.id, newRunId: fork.newRunId },
        });
      });
      return ok({ fork, continueWith: { 'X-NavPlane-Run': fork.newRunId, 'X-NavPlane-Parent-Trace': checkpoint.id } });
    },
  };
}

function summaryOf(trace: Trace): TraceSummary {
  const { requestBody: _request, responseBody: _response, ...summary } = trace;
  return summary;
}
