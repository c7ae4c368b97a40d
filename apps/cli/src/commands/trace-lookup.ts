import type { LineageKind, Trace, TraceSummary } from '@navplane/storage';
import { OTEL_TRACE_ID, reconstructChain, type Placed, type TraceQueries } from '@navplane/trace';
import { unwrap } from '../cli-operations';
import { CliError } from '../output';

/** How far back `trace show <X-Request-Id>` looks by default (`--since`). */
export const REQUEST_ID_LOOKBACK = '7d';

/**
 * The trace with this id (any org: the CLI reads as the platform), or exit 1 naming it. One id finds it
 * (docs/observability.md): the trace id (`trc_…`); an OpenTelemetry trace id (32 hex digits) when one is stored; else
 * the request's `X-Request-Id` (the client's, or the one the gateway generated and answered with), looked up since
 * `sinceIso`. Where several traces match, the newest wins and `onOthers` hears how many others share the id.
 */
export async function findTraceOrFail(
  queries: TraceQueries,
  id: string,
  lookup: { sinceIso?: string; onOthers?: (count: number) => void } = {},
): Promise<Trace> {
  if (OTEL_TRACE_ID.test(id)) {
    const [newest, ...others] = unwrap(await queries.tracesByOtelTraceId(null, id), 'OpenTelemetry trace id');
    if (newest !== undefined) {
      if (others.length > 0) lookup.onOthers?.(others.length);
      return newest;
    }
    // Not an OTel id of ours: it may still be a client's X-Request-Id of that shape.
  }
  if (!id.startsWith('trc_') && lookup.sinceIso !== undefined) {
    const matches = unwrap(await queries.tracesByRequestId(null, id, lookup.sinceIso), 'request id');
    const [newest, ...others] = matches;
    if (newest === undefined) throw new CliError(`no trace ${id}: no trace id, nor a request id seen since ${lookup.sinceIso} (--since)`);
    if (others.length > 0) lookup.onOthers?.(others.length);
    return newest;
  }
  const found = await queries.getTrace(null, id);
  if (!found.ok && found.error.code === 'not_found') throw new CliError(`no trace ${id}`);
  return unwrap(found);
}

/** A lineage chain as `trace chain` and `trace export` print it. */
export interface Chain {
  /** What links the traces: a lineage id, or `parents` (only parent links: the trace and its ancestors). */
  by: LineageKind | 'parents';
  id: string;
  /** True when the chain hit MAX_CHAIN_TRACES and was cut. */
  truncated: boolean;
  /** started_at then id, parents before children. */
  traces: ReadonlyArray<Placed<TraceSummary>>;
}

/** The chain sharing `kind` = `id` (of one org, or of every org), ordered parents-first. */
export async function loadChain(queries: TraceQueries, kind: LineageKind, id: string, orgId?: string): Promise<Chain> {
  const { traces, truncated } = unwrap(await queries.lineageTraces(orgId ?? null, kind, id), `--${kind}`);
  return { by: kind, id, truncated, traces: reconstructChain(traces).traces };
}

const MAX_ANCESTORS = 100;

/**
 * The chain a trace belongs to: its trace group, else its thread, else its run; without any, the trace and its
 * ancestors through parent links (at most 100, same org only).
 */
export async function chainOf(queries: TraceQueries, trace: Trace): Promise<Chain> {
  const lineage: Array<[LineageKind, string | null]> = [
    ['group', trace.traceGroup],
    ['thread', trace.threadId],
    ['run', trace.runId],
  ];
  for (const [kind, id] of lineage) if (id !== null) return loadChain(queries, kind, id, trace.orgId);
  const found: TraceSummary[] = [withoutBodies(trace)];
  const seen = new Set([trace.id]);
  let parentId = trace.parentTraceId;
  while (parentId !== null && !seen.has(parentId) && found.length <= MAX_ANCESTORS) {
    // Scoped to the trace's org: another org's trace is not found, like a missing one.
    const parent = await queries.getTrace(trace.orgId, parentId);
    if (!parent.ok) break;
    seen.add(parent.value.id);
    found.push(withoutBodies(parent.value));
    parentId = parent.value.parentTraceId;
  }
  return {
    by: 'parents',
    id: trace.id,
    truncated: parentId !== null && found.length > MAX_ANCESTORS,
    traces: reconstructChain(found).traces,
  };
}

/** The trace without its stored bodies. */
export function withoutBodies(trace: Trace): TraceSummary {
  const { requestBody: _request, responseBody: _response, ...summary } = trace;
  return summary;
}
