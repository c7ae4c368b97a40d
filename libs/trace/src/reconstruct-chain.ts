/** What ordering a chain needs of each trace. */
export interface ChainNode {
  readonly id: string;
  /** ISO-8601 UTC text (text order is time order). */
  readonly startedAt: string;
  readonly parentTraceId: string | null;
}

/** A trace placed in a chain: `depth` 0 for a root, else its parent's depth + 1. */
export type Placed<T> = T & { readonly depth: number };

/** A trace whose parent is not in the set: it starts a new root. */
export interface OrphanTrace {
  readonly traceId: string;
  readonly missingParentId: string;
}

/** A parent cycle (corrupt or hostile lineage) and the link that was ignored to break it. */
export interface BrokenCycle {
  /** The cycle's traces, from the one where it was broken, following parent links. */
  readonly traceIds: readonly string[];
  /** This trace was placed as a root: its link to `ignoredParentId` was ignored. */
  readonly brokenAt: string;
  readonly ignoredParentId: string;
}

/** A chain in its deterministic order, with what had to be repaired to build it. */
export interface ReconstructedChain<T extends ChainNode> {
  readonly traces: ReadonlyArray<Placed<T>>;
  /** Ids of the traces placed at depth 0, in chain order. */
  readonly roots: readonly string[];
  readonly orphans: readonly OrphanTrace[];
  readonly cycles: readonly BrokenCycle[];
}

/** Orders by started_at then id, comparing code units (how both dialects compare this ASCII text). */
export function compareByStart(a: ChainNode, b: ChainNode): number {
  if (a.startedAt !== b.startedAt) return a.startedAt < b.startedAt ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return 0;
}

/**
 * Orders a set of traces deterministically, whatever order they were written or read in: every trace comes
 * after its parent (clocks of different instances disagree, so a child may carry an earlier start), and
 * otherwise the trace with the earliest (started_at, id) goes first — a topological sort that always emits
 * the earliest ready trace. A trace whose parent is missing (not written yet, deleted, another org's, or
 * never sent) starts a new root and is reported as an orphan. A parent cycle is broken at its earliest
 * trace, which becomes a root, and reported. A duplicate id keeps its earliest copy. The result depends only
 * on the set of traces, never on the input order.
 */
export function reconstructChain<T extends ChainNode>(input: readonly T[]): ReconstructedChain<T> {
  const sorted = [...input].sort(compareByStart);
  const byId = new Map<string, T>();
  for (const trace of sorted) if (!byId.has(trace.id)) byId.set(trace.id, trace);
  const nodes = [...byId.values()];

  const children = new Map<string, T[]>();
  const ready = new MinHeap<T>(compareByStart);
  const orphans: OrphanTrace[] = [];
  for (const trace of nodes) {
    const parent = trace.parentTraceId;
    if (parent === null) ready.push(trace);
    else if (!byId.has(parent)) {
      orphans.push({ traceId: trace.id, missingParentId: parent });
      ready.push(trace);
    } else {
      const list = children.get(parent);
      if (list === undefined) children.set(parent, [trace]);
      else list.push(trace);
    }
  }

  const depth = new Map<string, number>();
  const placed: Array<Placed<T>> = [];
  const roots: string[] = [];
  const cycles: BrokenCycle[] = [];
  const emit = (trace: T, level: number) => {
    depth.set(trace.id, level);
    placed.push({ ...trace, depth: level });
    if (level === 0) roots.push(trace.id);
    for (const child of children.get(trace.id) ?? []) ready.push(child);
  };
  const drain = () => {
    for (let next = ready.pop(); next !== undefined; next = ready.pop()) {
      if (depth.has(next.id)) continue; // the trace where a cycle was broken is its last member's child too
      const parent = next.parentTraceId;
      const parentDepth = parent === null ? undefined : depth.get(parent);
      emit(next, parentDepth === undefined ? 0 : parentDepth + 1);
    }
  };

  drain();
  // What is left sits on a parent cycle or below one: every remaining trace's parent remains too, so
  // following parents from the earliest remaining trace must enter a cycle. Break it at its earliest
  // member and carry on until everything is placed (each break places the trace it started from).
  for (const start of nodes) {
    if (depth.has(start.id)) continue;
    const cycle = parentCycleAbove(start, byId);
    const breakAt = cycle.reduce((earliest, link) => (compareByStart(link.trace, earliest.trace) < 0 ? link : earliest));
    const from = cycle.indexOf(breakAt);
    cycles.push({
      traceIds: [...cycle.slice(from), ...cycle.slice(0, from)].map((link) => link.trace.id),
      brokenAt: breakAt.trace.id,
      ignoredParentId: breakAt.parentId,
    });
    emit(breakAt.trace, 0);
    drain();
  }
  return { traces: placed, roots, orphans: orphans.sort((a, b) => cmp(a.traceId, b.traceId)), cycles };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A trace and the parent it points at. */
interface ParentLink<T> {
  readonly trace: T;
  readonly parentId: string;
}

/** The parent cycle that following parents from `start` enters, in parent order (reconstructChain calls it only where one must exist). */
function parentCycleAbove<T extends ChainNode>(start: T, byId: ReadonlyMap<string, T>): Array<ParentLink<T>> {
  const seen = new Map<string, number>();
  const path: Array<ParentLink<T>> = [];
  for (let cursor: T | undefined = start; cursor !== undefined && cursor.parentTraceId !== null; cursor = byId.get(cursor.parentTraceId)) {
    const at = seen.get(cursor.id);
    if (at !== undefined) return path.slice(at);
    seen.set(cursor.id, path.length);
    path.push({ trace: cursor, parentId: cursor.parentTraceId });
  }
  throw new Error(`trace ${start.id}: its parents lead to no cycle`);
}

/** A binary min-heap (chains can hold thousands of traces; a sorted-array insert would be quadratic). */
class MinHeap<T> {
  readonly #items: T[] = [];
  constructor(private readonly compare: (a: T, b: T) => number) {}

  /** Adds `item`: its parents move down into the hole until it sits below a smaller-or-equal one. */
  push(item: T): void {
    const items = this.#items;
    let index = items.length;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = items[parentIndex];
      if (parent === undefined || this.compare(item, parent) >= 0) break;
      items[index] = parent;
      index = parentIndex;
    }
    items[index] = item;
  }

  /** Takes the smallest item: the last one sifts down from the top, its smaller children moving up. */
  pop(): T | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      const leftItem = items[left];
      if (leftItem === undefined) break;
      const rightItem = items[left + 1];
      const [child, childItem] =
        rightItem !== undefined && this.compare(rightItem, leftItem) < 0 ? [left + 1, rightItem] : [left, leftItem];
      if (this.compare(childItem, last) >= 0) break;
      items[index] = childItem;
      index = child;
    }
    items[index] = last;
    return top;
  }
}
