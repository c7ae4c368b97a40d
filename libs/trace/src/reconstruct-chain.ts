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
  // member and carry on; repeat until everything is placed.
  while (placed.length < nodes.length) {
    const start = nodes.find((trace) => !depth.has(trace.id)) as T;
    const seen = new Map<string, number>();
    const path: T[] = [];
    let cursor: T = start;
    while (!seen.has(cursor.id)) {
      seen.set(cursor.id, path.length);
      path.push(cursor);
      cursor = byId.get(cursor.parentTraceId as string) as T;
    }
    const cycle = path.slice(seen.get(cursor.id));
    const breakAt = [...cycle].sort(compareByStart)[0] as T;
    const from = cycle.indexOf(breakAt);
    cycles.push({
      traceIds: [...cycle.slice(from), ...cycle.slice(0, from)].map((trace) => trace.id),
      brokenAt: breakAt.id,
      ignoredParentId: breakAt.parentTraceId as string,
    });
    emit(breakAt, 0);
    drain();
  }
  return { traces: placed, roots, orphans: orphans.sort((a, b) => cmp(a.traceId, b.traceId)), cycles };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A binary min-heap (chains can hold thousands of traces; a sorted-array insert would be quadratic). */
class MinHeap<T> {
  readonly #items: T[] = [];
  constructor(private readonly compare: (a: T, b: T) => number) {}

  push(item: T): void {
    const items = this.#items;
    items.push(item);
    let index = items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (this.compare(items[index] as T, items[parent] as T) >= 0) break;
      [items[index], items[parent]] = [items[parent] as T, items[index] as T];
      index = parent;
    }
  }

  pop(): T | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let index = 0;
      for (;;) {
        const left = 2 * index + 1;
        const right = left + 1;
        let smallest = index;
        if (left < items.length && this.compare(items[left] as T, items[smallest] as T) < 0) smallest = left;
        if (right < items.length && this.compare(items[right] as T, items[smallest] as T) < 0) smallest = right;
        if (smallest === index) break;
        [items[index], items[smallest]] = [items[smallest] as T, items[index] as T];
        index = smallest;
      }
    }
    return top;
  }
}
