import type { Repositories, Trace, TraceSummary } from '@navplane/storage';
import { reconstructChain, type Placed } from '@navplane/trace';
import { CliError } from '../output';
import type { LineageKind, TraceQueries } from '../trace-queries';
import { MAX_CHAIN_TRACES } from '../trace-queries';

/** The trace with this id, or exit 1 naming it. */
export async function findTraceOrFail(repos: Repositories, id: string): Promise<Trace> {
  const trace = await repos.traces.findById(id);
  if (trace === undefined) throw new CliError(`no trace ${id}`);
  return trace;
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

/** The chain sharing `kind` = `id`, ordered parents-first. */
export async function loadChain(queries: TraceQueries, kind: LineageKind, id: string, orgId?: string): Promise<Chain> {
  const traces = await queries.chain(kind, id, orgId);
  return { by: kind, id, truncated: traces.length >= MAX_CHAIN_TRACES, traces: reconstructChain(traces).traces };
}

const MAX_ANCESTORS = 100;

/**
 * The chain a trace belongs to: its trace group, else its thread, else its run; without any, the trace and its
 * ancestors through parent links (at most 100, same org only).
 */
export async function chainOf(repos: Repositories, queries: TraceQueries, trace: Trace): Promise<Chain> {
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
    const parent = await repos.traces.findById(parentId);
    if (parent === undefined || parent.orgId !== trace.orgId) break;
    seen.add(parent.id);
    found.push(withoutBodies(parent));
    parentId = parent.parentTraceId;
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
