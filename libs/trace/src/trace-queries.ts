import { AppError, err, ID_PREFIXES, isId, newId, ok, systemClock, toIso, type Clock, type Result } from '@navplane/core';
import type { Repositories, Trace, TraceFork, TraceSummary, UsageGroupBy } from '@navplane/storage';
import { parseCursor, parseLimit, parseRange, parseStatus, parseText, invalidParam } from './query-input';
import { createLineageReader, type ChainScope, type ChainView, type ReplayView } from './trace-lineage';
import { usageReport, type UsageReport } from './usage-report';

/** Default and largest page of the request listing. */
export const DEFAULT_REQUESTS_LIMIT = 50;
export const MAX_REQUESTS_LIMIT = 1000;

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
  /** The org's requests, newest first, filtered, paged by cursor. */
  listRequests(orgId: string, input?: ListRequestsInput): Promise<Result<RequestPage, AppError>>;
  /** Tokens and cost by model, UTC day or key over [from, to); unknown costs are reported, never summed as 0. */
  usage(orgId: string, input: UsageInput): Promise<Result<UsageReport, AppError>>;
  /** The chain of a trace group, thread or run, in its deterministic order (a forked run starts with its source). */
  chain(input: ChainInput): Promise<Result<ChainView, AppError>>;
  /** The chain as it stood at checkpoint `traceId`, ending with it. Changes nothing. */
  replay(orgId: string | null, traceId: string): Promise<Result<ReplayView, AppError>>;
  /** Records a new run continuing from checkpoint `traceId` (and its audit record); no trace row changes. */
  fork(orgId: string | null, traceId: string, actor: ForkActor): Promise<Result<ForkCreated, AppError>>;
}

const notFound = (): Result<never, AppError> => err(new AppError('not_found', 'No such trace'));

// Run and fork ids reuse the trace id's time-sortable body under their own prefix.
const idBody = (nowMs: number) => newId('trace', nowMs).slice(ID_PREFIXES.trace.length + 1);

/** The trace queries over `repos` (create once and share). */
export function createTraceQueries(deps: TraceQueriesDeps): TraceQueries {
  const { repos } = deps;
  const clock = deps.clock ?? systemClock;
  const lineage = createLineageReader(repos);

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
      if (!['model', 'day', 'key'].includes(input.groupBy)) return invalidParam('groupBy', 'groupBy must be model, day or key');
      const range = parseRange(input.from, input.to);
      if (!range.ok) return range;
      const rows = await repos.traces.aggregateUsage(orgId, { groupBy: input.groupBy, ...range.value });
      return ok(usageReport(rows, input.groupBy, range.value));
    },

    async chain(input) {
      const given = (['group', 'thread', 'run'] as const).filter((kind) => input[kind] !== undefined);
      if (given.length !== 1) return invalidParam('group', 'give exactly one of group, thread or run');
      const kind = given[0] as ChainScope['kind'];
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
