import type { LineageKind, TraceFork, TraceForksRepository, TracesRepository, TraceSummary } from '@navplane/storage';
import { reconstructChain, type BrokenCycle, type OrphanTrace } from './reconstruct-chain';

/** Most traces one chain holds; beyond it the chain is cut (oldest kept) and marked `truncated`. */
export const MAX_CHAIN_TRACES = 10_000;

/** Most parent links followed up from a checkpoint to find the lineage it inherits. */
export const MAX_ANCESTOR_WALK = 1000;

/** Most forks followed back from one run (a fork of a fork of …). */
export const MAX_FORK_HOPS = 32;

/** Which lineage id a chain follows. */
export interface ChainScope {
  readonly kind: LineageKind;
  readonly id: string;
}

/** A trace in a chain: its depth below its root, and whether it came from the fork's source chain. */
export type ChainEntry = TraceSummary & {
  readonly depth: number;
  /** True for the checkpoint chain a forked run continues from (stored under another run). */
  readonly inherited: boolean;
};

/** Where a forked run came from. */
export interface ForkOrigin {
  readonly forkId: string;
  readonly sourceTraceId: string;
  readonly createdAt: string;
  readonly createdBy: string;
  /** The source checkpoint is no longer stored (retention): the inherited part is empty. */
  readonly sourceMissing: boolean;
}

/** A reconstructed chain (docs/traces.md lineage), in its deterministic order. */
export interface ChainView {
  /** The lineage id followed; null when the checkpoint of a replay carries none (its ancestors are followed). */
  readonly scope: ChainScope | null;
  /** Set when the scope is a run created by a fork. */
  readonly forkedFrom: ForkOrigin | null;
  readonly traces: readonly ChainEntry[];
  /** Traces at depth 0, in chain order. */
  readonly roots: readonly string[];
  /** Traces whose parent is not in the chain (another run, not written yet, deleted, or another org's). */
  readonly orphans: readonly OrphanTrace[];
  /** Parent cycles that were broken to order the chain. */
  readonly cycles: readonly BrokenCycle[];
  /** More than MAX_CHAIN_TRACES traces matched; the oldest were kept. */
  readonly truncated: boolean;
}

/** A replay: the chain as it stood at a checkpoint, ending with it. */
export interface ReplayView extends ChainView {
  readonly checkpoint: TraceSummary;
}

/** The lineage reads of one org (the caller has checked tenancy of any trace it passes in). */
export interface LineageReader {
  /** The chain of a lineage id; a run created by a fork starts with the source checkpoint's replay. */
  chain(orgId: string, scope: ChainScope): Promise<ChainView>;
  /**
   * The chain of the checkpoint's run (else thread, else group — its own or inherited from its parents; else its
   * ancestors) up to and including it.
   */
  replay(orgId: string, checkpoint: TraceSummary): Promise<ReplayView>;
}

/** The most specific lineage id a trace carries: run, then thread, then group. */
export function scopeOf(trace: Pick<TraceSummary, 'runId' | 'threadId' | 'traceGroup'>): ChainScope | null {
  if (trace.runId !== null) return { kind: 'run', id: trace.runId };
  if (trace.threadId !== null) return { kind: 'thread', id: trace.threadId };
  if (trace.traceGroup !== null) return { kind: 'group', id: trace.traceGroup };
  return null;
}

const LINEAGE_FIELD = { group: 'traceGroup', thread: 'threadId', run: 'runId' } as const;

/** The lineage reader over the traces and forks repositories. */
export function createLineageReader(repos: {
  traces: Pick<TracesRepository, 'listByLineage' | 'listChildren' | 'findSummaries'>;
  traceForks: Pick<TraceForksRepository, 'findByRunId'>;
}): LineageReader {
  const { traces, traceForks } = repos;

  /**
   * The traces carrying the lineage id, plus traces linked to them by parent links that carry no id of this
   * kind (partial lineage: a client that sent only `X-NavPlane-Parent-Trace` inherits its parent's run).
   * Traces carrying a different id of this kind belong elsewhere and are never pulled in.
   */
  async function members(orgId: string, scope: ChainScope, extra?: TraceSummary): Promise<{ traces: TraceSummary[]; truncated: boolean }> {
    const field = LINEAGE_FIELD[scope.kind];
    const keyed = await traces.listByLineage(orgId, scope.kind, scope.id, MAX_CHAIN_TRACES + 1);
    let truncated = keyed.length > MAX_CHAIN_TRACES;
    const byId = new Map(keyed.slice(0, MAX_CHAIN_TRACES).map((trace) => [trace.id, trace]));
    if (extra !== undefined) byId.set(extra.id, extra);
    const full = () => {
      if (byId.size < MAX_CHAIN_TRACES) return false;
      truncated = true;
      return true;
    };

    // Down: children that inherit the lineage id, level by level.
    let frontier = [...byId.keys()];
    while (frontier.length > 0 && !full()) {
      const next: string[] = [];
      for (const child of await traces.listChildren(orgId, frontier, scope.kind)) {
        if (byId.has(child.id) || full()) continue;
        byId.set(child.id, child);
        next.push(child.id);
      }
      frontier = next;
    }
    // Up: parents that carry no id of this kind (the context a run started from).
    let wanted = parentsMissing(byId);
    while (wanted.length > 0 && !full()) {
      const next: TraceSummary[] = [];
      for (const parent of await traces.findSummaries(orgId, wanted)) {
        if (parent[field] !== null || byId.has(parent.id) || full()) continue;
        byId.set(parent.id, parent);
        next.push(parent);
      }
      wanted = parentsMissing(byId, next);
    }
    return { traces: [...byId.values()], truncated };
  }

  /**
   * The checkpoint's ancestors by parent links (nearest first, the checkpoint excluded), walked only as far as
   * needed to learn the lineage ids it inherits: a trace sent without `X-NavPlane-Run` continues its parent's
   * run, and so on for thread and group (the nearest ancestor carrying one decides). Stops at the first run id,
   * a missing (or another org's) parent, a loop, or after MAX_ANCESTOR_WALK links.
   */
  async function inheritedScope(orgId: string, checkpoint: TraceSummary): Promise<{ scope: ChainScope | null; ancestors: TraceSummary[] }> {
    const seen = new Set([checkpoint.id]);
    const ancestors: TraceSummary[] = [];
    const effective = { runId: checkpoint.runId, threadId: checkpoint.threadId, traceGroup: checkpoint.traceGroup };
    let cursor: TraceSummary | undefined = checkpoint;
    // A run id decides the scope (the most specific kind), so the walk ends at the first one found.
    while (
      effective.runId === null &&
      cursor !== undefined &&
      cursor.parentTraceId !== null &&
      !seen.has(cursor.parentTraceId) &&
      seen.size <= MAX_ANCESTOR_WALK
    ) {
      [cursor] = await traces.findSummaries(orgId, [cursor.parentTraceId]);
      if (cursor === undefined) break;
      seen.add(cursor.id);
      ancestors.push(cursor);
      effective.runId ??= cursor.runId;
      effective.threadId ??= cursor.threadId;
      effective.traceGroup ??= cursor.traceGroup;
    }
    return { scope: scopeOf(effective), ancestors };
  }

  async function chainWith(orgId: string, scope: ChainScope, hops: number, extra?: TraceSummary): Promise<ChainView> {
    const own = await members(orgId, scope, extra);
    let forkedFrom: ForkOrigin | null = null;
    let inherited: readonly ChainEntry[] = [];
    const fork = scope.kind === 'run' ? await traceForks.findByRunId(orgId, scope.id) : undefined;
    if (fork !== undefined) {
      const source = hops < MAX_FORK_HOPS ? (await traces.findSummaries(orgId, [fork.sourceTraceId]))[0] : undefined;
      forkedFrom = origin(fork, source === undefined);
      if (source !== undefined) inherited = (await replayWith(orgId, source, hops + 1)).traces;
    }
    const inheritedIds = new Set(inherited.map((trace) => trace.id));
    const all = [...inherited.map(stripPlacement), ...own.traces.filter((trace) => !inheritedIds.has(trace.id))];
    const ordered = reconstructChain(all);
    return {
      scope,
      forkedFrom,
      traces: ordered.traces.map((trace) => ({ ...trace, inherited: inheritedIds.has(trace.id) })),
      roots: ordered.roots,
      orphans: ordered.orphans,
      cycles: ordered.cycles,
      truncated: own.truncated,
    };
  }

  async function replayWith(orgId: string, checkpoint: TraceSummary, hops: number): Promise<ReplayView> {
    const { scope, ancestors } = await inheritedScope(orgId, checkpoint);
    let view: ChainView;
    if (scope === null) {
      // No lineage id anywhere above it: the chain is the checkpoint's line of ancestors.
      const ordered = reconstructChain([checkpoint, ...ancestors]);
      view = {
        scope: null,
        forkedFrom: null,
        traces: ordered.traces.map((trace) => ({ ...trace, inherited: false })),
        roots: ordered.roots,
        orphans: ordered.orphans,
        cycles: ordered.cycles,
        truncated: false,
      };
    } else {
      view = await chainWith(orgId, scope, hops, checkpoint);
    }
    // The chain as it stood at the checkpoint: everything ordered before it, and the checkpoint itself.
    const end = view.traces.findIndex((trace) => trace.id === checkpoint.id);
    const prefix = view.traces.slice(0, end + 1);
    const kept = new Set(prefix.map((trace) => trace.id));
    return {
      ...view,
      checkpoint,
      traces: prefix,
      roots: view.roots.filter((id) => kept.has(id)),
      orphans: view.orphans.filter((orphan) => kept.has(orphan.traceId)),
      cycles: view.cycles.filter((cycle) => kept.has(cycle.brokenAt)),
    };
  }

  return {
    chain: (orgId, scope) => chainWith(orgId, scope, 0),
    replay: (orgId, checkpoint) => replayWith(orgId, checkpoint, 0),
  };
}

function parentsMissing(byId: ReadonlyMap<string, TraceSummary>, from: Iterable<TraceSummary> = byId.values()): string[] {
  const wanted = new Set<string>();
  for (const trace of from) {
    if (trace.parentTraceId !== null && !byId.has(trace.parentTraceId)) wanted.add(trace.parentTraceId);
  }
  return [...wanted];
}

function origin(fork: TraceFork, sourceMissing: boolean): ForkOrigin {
  return {
    forkId: fork.id,
    sourceTraceId: fork.sourceTraceId,
    createdAt: fork.createdAt,
    createdBy: fork.createdBy,
    sourceMissing,
  };
}

function stripPlacement(entry: ChainEntry): TraceSummary {
  const { depth: _depth, inherited: _inherited, ...trace } = entry;
  return trace;
}
